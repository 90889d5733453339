/**
 * Adds diagram interchange (shapes and edges) to a hand-written BPMN fixture, as Camunda
 * Modeler would save it: the linter requires every element to be drawn, and the layout has
 * no bearing on execution, so fixtures stay readable without hundreds of coordinate lines.
 */
const NODE_TAGS = [
  'startEvent',
  'endEvent',
  'intermediateCatchEvent',
  'intermediateThrowEvent',
  'boundaryEvent',
  'task',
  'serviceTask',
  'sendTask',
  'userTask',
  'receiveTask',
  'scriptTask',
  'manualTask',
  'subProcess',
  'callActivity',
  'exclusiveGateway',
  'inclusiveGateway',
  'parallelGateway',
  'eventBasedGateway',
];

export function withDiagram(xml: string): string {
  if (xml.includes('bpmndi:BPMNDiagram')) return xml;
  const processId = /<bpmn:process\s[^>]*id="([^"]+)"/.exec(xml)?.[1];
  if (!processId) throw new Error('fixture has no bpmn:process');
  const shapes: string[] = [];
  const centre = new Map<string, [number, number]>();
  const nodeRe = new RegExp(`<bpmn:(${NODE_TAGS.join('|')})\\s[^>]*?id="([^"]+)"`, 'g');
  let i = 0;
  for (const m of xml.matchAll(nodeRe)) {
    const [tag, id] = [m[1], m[2]];
    const size: [number, number] = tag.endsWith('Event')
      ? [36, 36]
      : tag.endsWith('Gateway')
        ? [50, 50]
        : tag === 'subProcess'
          ? [350, 200]
          : [100, 80];
    const x = 100 + (i % 8) * 180;
    const y = 100 + Math.floor(i / 8) * 250;
    i++;
    centre.set(id, [x + size[0] / 2, y + size[1] / 2]);
    const expanded = tag === 'subProcess' ? ' isExpanded="true"' : '';
    shapes.push(
      `<bpmndi:BPMNShape id="${id}_di" bpmnElement="${id}"${expanded}><dc:Bounds x="${x}" y="${y}" width="${size[0]}" height="${size[1]}" /></bpmndi:BPMNShape>`,
    );
  }
  for (const m of xml.matchAll(/<bpmn:sequenceFlow\s[^>]*?id="([^"]+)"[^>]*>/g)) {
    const tag = m[0];
    const source = /sourceRef="([^"]+)"/.exec(tag)?.[1] ?? '';
    const target = /targetRef="([^"]+)"/.exec(tag)?.[1] ?? '';
    const [sx, sy] = centre.get(source) ?? [0, 0];
    const [tx, ty] = centre.get(target) ?? [0, 0];
    shapes.push(
      `<bpmndi:BPMNEdge id="${m[1]}_di" bpmnElement="${m[1]}"><di:waypoint x="${sx}" y="${sy}" /><di:waypoint x="${tx}" y="${ty}" /></bpmndi:BPMNEdge>`,
    );
  }
  const diagram = `  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="${processId}">
      ${shapes.join('\n      ')}
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>`;
  const withNs = xml.replace(
    '<bpmn:definitions ',
    '<bpmn:definitions xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" ',
  );
  return withNs.replace('</bpmn:definitions>', diagram);
}
