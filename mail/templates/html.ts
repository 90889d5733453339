/** HTML building for the mail templates: every interpolated value is escaped unless marked safe. */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Markup that is already escaped (the result of `html` or `layout`). */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Interpolated = string | number | SafeHtml | readonly SafeHtml[];

/** Tagged template: html`<p>${name}</p>` escapes `name`; SafeHtml values (and arrays of them) go in as they are. */
export function html(strings: TemplateStringsArray, ...values: Interpolated[]): SafeHtml {
  let out = strings[0];
  values.forEach((v, i) => {
    const piece =
      v instanceof SafeHtml
        ? v.value
        : Array.isArray(v)
          ? v.map((x: SafeHtml) => x.value).join('')
          : escapeHtml(String(v));
    out += piece + strings[i + 1];
  });
  return new SafeHtml(out);
}

/** A message's facts as a two-column table: each row a label and its value. */
export function factsTable(rows: ReadonlyArray<readonly [string, string]>): SafeHtml {
  return html`<table>
    ${rows.map(
      ([label, value]) =>
        html`<tr>
          <th align="left">${label}</th>
          <td>${value}</td>
        </tr>`,
    )}
  </table>`;
}

/** The shared frame of every message: a title, the body, and the footer saying where it came from. */
export function layout(title: string, body: SafeHtml): string {
  return html`<!doctype html>
    <html lang="en-GB">
      <head>
        <meta charset="utf-8" />
        <title>${title}</title>
      </head>
      <body style="font-family: Arial, sans-serif; font-size: 15px; color: #212b32">
        <h1 style="font-size: 20px">${title}</h1>
        ${body}
        <p style="color: #4c6272; font-size: 13px">
          Sent by the West Midlands Child Health Information Service (CHIS Flow). This message identifies the child by
          NHS number and initials only. Please do not reply with clinical details by email.
        </p>
      </body>
    </html>`.value;
}
