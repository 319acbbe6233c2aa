// Image uploads (multipart/form-data, one file in the field "document"). The multipart parser is
// registered only in the small scopes that hold an upload route: in a wider scope it would accept
// multipart bodies on the JSON routes too, and it adds an onResponse hook to every request it covers.
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './error-catalogue.js';
import { detectImageType } from '../core/image-type.js';

export async function acceptUploads(app: FastifyInstance): Promise<void> {
  const { MAX_UPLOAD_BYTES } = app.emulator.config;
  await app.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 5, parts: 6 } });
}

/**
 * The multipart plugin's own errors carry an FST_ code and are rendered by the error handler (413,
 * 415). The parser underneath throws plain errors for a body it cannot read (no boundary, a cut or
 * malformed part): those are the client's mistake, a 400, never a 500.
 */
function uploadError(error: unknown): Error {
  if (error instanceof ApiError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof Error && typeof code === 'string' && code.startsWith('FST_')) return error;
  const reason = error instanceof Error ? error.message.replace(/^Multipart:\s*/i, '') : String(error);
  return new ApiError('INVALID_REQUEST', `The multipart body could not be read (${reason.slice(0, 200)}); send multipart/form-data with a file field named "document".`);
}

export interface UploadedImage {
  bytes: Buffer;
  contentType: string;
}

/** Reads the one image of an upload request: 400 without a "document" file, 415 when it is not an image. */
export async function readUploadedImage(request: FastifyRequest): Promise<UploadedImage> {
  let bytes: Buffer;
  try {
    const file = await request.file();
    if (!file || file.fieldname !== 'document') {
      throw new ApiError('INVALID_REQUEST', 'Send the image as multipart/form-data in a file field named "document".');
    }
    bytes = await file.toBuffer();
  } catch (error) {
    throw uploadError(error);
  }
  const contentType = detectImageType(bytes);
  if (!contentType) {
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'The document must be an image (JPEG, PNG, WebP, GIF, BMP, TIFF or HEIC).');
  }
  return { bytes, contentType };
}
