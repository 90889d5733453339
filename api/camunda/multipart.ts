/**
 * multipart/form-data as Camunda Modeler, c8ctl and Camunda's clients send a deployment: one or
 * more `resources` file parts (the file name says what each is) and an optional `tenantId` field.
 * Limits keep a request from filling memory; anything else in the form is refused.
 */
import busboy from 'busboy';
import type { Request } from 'express';
import { ApiError } from '../api-error';
import { camundaError } from './camunda-route';

const MAX_FILES = 50;
const MAX_FILE_BYTES = 4 * 1024 * 1024;
const MAX_TOTAL_BYTES = 16 * 1024 * 1024;

export interface DeploymentForm {
  resources: File[];
  tenantId?: string;
}

export function readDeploymentForm(req: Request): Promise<DeploymentForm> {
  if (!req.is('multipart/form-data'))
    return Promise.reject(
      camundaError.invalid('A deployment is sent as multipart/form-data with one or more "resources" files', [
        { field: 'body', message: 'must be multipart/form-data' },
      ]),
    );
  return new Promise((resolve, reject) => {
    const resources: File[] = [];
    const fields: Record<string, string> = {};
    let total = 0;
    let failed: Error | null = null;
    const fail = (e: Error) => {
      failed ??= e;
    };
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { files: MAX_FILES, fileSize: MAX_FILE_BYTES, fields: 10, fieldSize: 1024 },
      });
    } catch (e) {
      reject(camundaError.invalid(`The multipart body cannot be read: ${(e as Error).message}`));
      return;
    }
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > MAX_TOTAL_BYTES)
          fail(new ApiError(413, 'PAYLOAD_TOO_LARGE', 'The deployment is larger than 16 MB'));
        else chunks.push(chunk);
      });
      stream.on('limit', () => fail(camundaError.invalid(`The file ${info.filename} is larger than 4 MB`)));
      stream.on('close', () => {
        if (name !== 'resources') {
          fail(camundaError.invalid(`Unexpected file field "${name}": send files as "resources"`));
          return;
        }
        if (!info.filename) {
          fail(camundaError.invalid('Every resource needs a file name (its extension says what it is)'));
          return;
        }
        resources.push(new File([Buffer.concat(chunks)], info.filename, { type: info.mimeType }));
      });
    });
    parser.on('field', (name, value) => {
      if (name === 'tenantId') fields.tenantId = value;
      else
        fail(
          camundaError.invalid(`Unexpected form field "${name}"`, [
            { field: `body.${name}`, message: 'is not an allowed field' },
          ]),
        );
    });
    parser.on('filesLimit', () => fail(camundaError.invalid(`At most ${MAX_FILES} resources per deployment`)));
    parser.on('error', (e: Error) => reject(camundaError.invalid(`The multipart body cannot be read: ${e.message}`)));
    parser.on('close', () => {
      if (failed) reject(failed);
      else resolve({ resources, ...(fields.tenantId !== undefined ? { tenantId: fields.tenantId } : {}) });
    });
    req.pipe(parser);
  });
}
