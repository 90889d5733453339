import express, { type Request, type Response } from 'express';
import { DEFAULT_MAX_BPMN_BYTES } from '../../bpmn/parse';
import { ApiError } from '../api-error';

/** Media types accepted for a diagram sent as the whole request body. */
export const XML_MEDIA_TYPES = ['application/xml', 'text/xml', 'application/bpmn+xml', 'application/*+xml'];
export const MAX_DIAGRAM_BYTES = DEFAULT_MAX_BPMN_BYTES;

// The app's JSON parser leaves other bodies unread: a diagram posted as XML is read here, with its own limit.
const readXmlBody = express.text({ type: XML_MEDIA_TYPES, limit: MAX_DIAGRAM_BYTES, defaultCharset: 'utf-8' });

function read(req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) =>
    readXmlBody(req, res, (error?: unknown) => (error ? reject(error) : resolve())),
  );
}

/**
 * The diagram of a deployment request: the body itself when it is XML, else the `xml` field of
 * the JSON body. Oversized → 413, another media type → 415, nothing sent → 400.
 */
export async function diagramOf(req: Request, res: Response, jsonXml: string | undefined): Promise<string> {
  if (req.is(XML_MEDIA_TYPES)) {
    try {
      await read(req, res);
    } catch (error) {
      if ((error as { type?: string }).type === 'entity.too.large') {
        throw new ApiError(
          413,
          'Payload Too Large',
          `The diagram is larger than the limit of ${MAX_DIAGRAM_BYTES} bytes (2 MB)`,
        );
      }
      throw error;
    }
    const xml = typeof req.body === 'string' ? req.body : '';
    if (xml.trim() === '')
      throw ApiError.badRequest('The request body is empty', [{ field: 'body', message: 'must be the BPMN 2.0 XML' }]);
    return xml;
  }
  if (!req.is('application/json')) {
    throw new ApiError(415, 'Unsupported Media Type', 'Send the diagram as application/xml, or as JSON {"xml": "..."}');
  }
  if (jsonXml === undefined)
    throw ApiError.badRequest('The request is not valid: body.xml', [{ field: 'body.xml', message: 'is required' }]);
  if (jsonXml.trim() === '')
    throw ApiError.badRequest('The request is not valid: body.xml', [
      { field: 'body.xml', message: 'must not be empty' },
    ]);
  return jsonXml;
}
