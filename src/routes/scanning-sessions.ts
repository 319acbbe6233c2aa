// The scanning-sessions API, for apps that capture images themselves: create, upload, analyse, poll.
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { ApiError } from '../http/error-catalogue.js';
import { analysisIdOf, providerFolderIdOf } from '../core/session.js';
import { authenticate } from '../http/auth.js';
import { acceptUploads, readUploadedImage } from '../http/uploads.js';
import { publicErrorResponses } from '../schemas/common.js';
import {
  AnalysisIdParams,
  AnalysisStarted,
  DocumentUploaded,
  DocumentUploadQuery,
  ScanningRequest,
  ScanningSessionCreated,
  SessionIdParams,
  SessionResult,
  StartAnalysisBody,
  StartAnalysisQuery,
} from '../schemas/public.js';
import { createSessionFrom, OutcomeHeaders, sendResult, sessionOfCaller } from './public-session.js';

const base = '/v3/eid/scanningsessions';
const tags = ['Scanning sessions'];
const security = [{ apiKey: [] }];
const withErrors = <T extends object>(ok: T) => ({ ...ok, ...publicErrorResponses, 409: publicErrorResponses[400], 413: publicErrorResponses[400], 415: publicErrorResponses[400] });

export const scanningSessionRoutes: FastifyPluginAsyncZod = async (app) => {
  app.addHook('onRequest', authenticate);
  // 201 is what a public API test of ZignSec's test environment asserts (fixtures/wire.json).
  const created = app.emulator.fixtures.wire.create_status.scanningsessions;

  app.post(
    base,
    {
      schema: {
        tags,
        security,
        summary: `Create a scanning session (${created})`,
        headers: OutcomeHeaders,
        body: ScanningRequest.nullish(),
        response: withErrors({ [created]: ScanningSessionCreated }),
      },
    },
    async (request, reply) => {
      request.body ??= {};
      const session = createSessionFrom(request, reply, 'scanningsession');
      return reply.status(created).send({ session_id: session.id, provider_folder_id: providerFolderIdOf(session), errors: [] });
    },
  );

  // The upload route has a scope of its own: only there are multipart bodies parsed.
  await app.register(async (uploads) => {
    await acceptUploads(uploads);
    uploads.withTypeProvider<ZodTypeProvider>().post(
      `${base}/:id/documents`,
      {
        schema: {
          tags,
          security,
          summary: 'Upload a document image (multipart/form-data, file field "document")',
          consumes: ['multipart/form-data'],
          params: SessionIdParams,
          querystring: DocumentUploadQuery,
          response: withErrors({ 200: DocumentUploaded }),
        },
      },
      async (request) => {
        const session = sessionOfCaller(request, request.params.id);
        const { bytes, contentType } = await readUploadedImage(request);
        const { documentType, reference } = request.query;
        const stored = request.server.emulator.sessions.addDocument(session, { documentType, reference: reference ?? null, contentType, size: bytes.length, bytes });
        return {
          id: stored.id,
          session_id: session.id,
          document_type: stored.documentType,
          reference: stored.reference,
          content_type: stored.contentType,
          size: stored.size,
          errors: [],
        };
      },
    );
  });

  const startAnalysis = {
    schema: {
      tags,
      security,
      params: SessionIdParams,
      querystring: StartAnalysisQuery,
      body: StartAnalysisBody,
      response: withErrors({ 200: AnalysisStarted }),
    },
  };
  for (const path of [`${base}/:id/analyses`, `${base}/:id/ui/analyses`]) {
    app.post(path, { ...startAnalysis, schema: { ...startAnalysis.schema, summary: path.includes('/ui/') ? "Start the analysis (ZignSec's UI variant)" : 'Start the analysis' } }, async (request) => {
      const session = sessionOfCaller(request, request.params.id);
      request.server.emulator.sessions.startAnalysis(session, 'api', request.body?.analysis_types);
      return { id: analysisIdOf(session), session_id: session.id, status: session.status, errors: [] };
    });
  }

  const resultRoute = (summary: string) => ({
    schema: { tags, security, summary, params: SessionIdParams, response: withErrors({ 200: SessionResult }) },
  });
  app.get(`${base}/:id/analysisStatus`, resultRoute('Poll the analysis: the result object, whose status says where it is'), async (request, reply) => sendResult(request, reply, sessionOfCaller(request, request.params.id)));
  app.get(`${base}/:id/analyses`, resultRoute('All analysis results (the result object)'), async (request, reply) => sendResult(request, reply, sessionOfCaller(request, request.params.id)));
  app.get(
    `${base}/:id/analyses/:analysisId`,
    { schema: { tags, security, summary: 'One analysis result (the result object)', params: AnalysisIdParams, response: withErrors({ 200: SessionResult }) } },
    async (request, reply) => {
      const session = sessionOfCaller(request, request.params.id);
      if (request.params.analysisId.toLowerCase() !== analysisIdOf(session)) {
        throw new ApiError('ANALYSIS_NOT_FOUND', `No analysis with id ${JSON.stringify(request.params.analysisId.slice(0, 64))} in this session.`);
      }
      return sendResult(request, reply, session);
    },
  );
};

