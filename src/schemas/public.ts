// Contracts of the public v3 API: request bodies, query strings and responses.
import { z } from 'zod';
import livenessExample from '../../fixtures/examples/liveness-request.json' with { type: 'json' };
import {
  ActionChoice,
  AnalysisStatus,
  AnalysisType,
  DocumentOption,
  LivenessAction,
  Locale,
  OptionalUrl,
  SessionStatus,
  StylesheetUrl,
  WebhookUrl,
} from './common.js';

const RelayState = z.string().max(2048, { message: 'must be at most 2048 characters' }).nullish();

export const LivenessRequest = z
  .object({
    relay_state: RelayState,
    target: OptionalUrl,
    cancel_url: OptionalUrl,
    target_error: OptionalUrl,
    webhook: WebhookUrl,
    options: DocumentOption,
    action: ActionChoice,
    available_actions: z.array(LivenessAction).max(9).nullish(),
    css: z.array(StylesheetUrl).max(10).nullish(),
    doc: z.object({ ignore_errors_in_fields: z.array(z.string().max(100)).max(50).nullish() }).nullish(),
    locale: Locale,
  })
  .meta({
    id: 'LivenessRequest',
    example: livenessExample,
  });
export type LivenessRequest = z.infer<typeof LivenessRequest>;

export const ScanningRequest = z
  .object({
    locale: Locale,
    relay_state: RelayState,
    analysis_types: z.array(AnalysisType).max(10).nullish(),
    target: OptionalUrl,
    target_error: OptionalUrl,
    webhook: WebhookUrl,
  })
  .meta({
    id: 'ScanningRequest',
    example: { relay_state: 'order-42', analysis_types: ['document', 'fraud', 'selfie'], target: 'https://merchant.example/done' },
  });
export type ScanningRequest = z.infer<typeof ScanningRequest>;

export const CreatedSessionResponse = z
  .object({ id: z.uuid(), errors: z.array(z.never()), redirect_url: z.string() })
  .meta({
    id: 'CreatedSessionResponse',
    example: {
      id: '61652a58-1921-4593-abab-fcbc24f972b0',
      errors: [],
      redirect_url: 'http://localhost:8080/v3/scan/ui/61652a58-1921-4593-abab-fcbc24f972b0/liveness?otp=P3r27O1U20WE8tVUnlLH5w',
    },
  });

export const ScanningSessionCreated = z
  .object({ session_id: z.uuid(), provider_folder_id: z.string(), errors: z.array(z.never()) })
  .meta({
    id: 'ScanningSessionCreated',
    example: { session_id: '0b8e4c1e-3f5b-4d36-9a47-6f1f0f2b9d11', provider_folder_id: 'f-7Hq2LxN0aB3c', errors: [] },
  });

export const SessionIdParams = z.object({ id: z.string().meta({ description: 'Session id (GUID)' }) });
export const AnalysisIdParams = SessionIdParams.extend({ analysisId: z.string() });

/**
 * A query parameter read as ASP.NET Core binds a simple type (ZignSec's API is .NET): the first of
 * repeated values (`?documentType=a&documentType=b` is `a`), and an empty or blank value as absent
 * (its ConvertEmptyStringToNull).
 */
function boundAsDotNet<T extends z.ZodType>(schema: T, description: string) {
  const first = (value: unknown) => {
    const given: unknown = Array.isArray(value) ? (value as unknown[])[0] : value;
    return typeof given === 'string' && given.trim() === '' ? undefined : given;
  };
  return z.preprocess(first, schema).meta({ description });
}

export const DocumentUploadQuery = z.object({
  documentType: boundAsDotNet(
    z.string({ message: 'is required' }).regex(/^[A-Za-z_]{1,40}$/, { message: 'must be a document type such as Passport, IdentityCard, DriversLicense or Selfie' }),
    'What the image is: Passport, IdentityCard, DriversLicense, Selfie (as public clients send it); echoed as documentType in the result.',
  ),
  reference: boundAsDotNet(z.string().max(200).optional(), "The caller's reference (public clients send provider_folder_id); empty means none."),
});

export const DocumentUploaded = z
  .object({
    id: z.string(),
    session_id: z.uuid(),
    document_type: z.string(),
    reference: z.string().nullable(),
    content_type: z.string(),
    size: z.number().int(),
    errors: z.array(z.never()),
  })
  .meta({ id: 'DocumentUploaded' });

export const StartAnalysisQuery = z.object({
  timeZoneOffset: boundAsDotNet(z.coerce.number().int().min(-840).max(840).optional(), "Minutes east of UTC (a client's -new Date().getTimezoneOffset())."),
});
export const StartAnalysisBody = z
  .object({ analysis_types: z.array(AnalysisType).min(1).max(10).nullish() })
  .nullish()
  .meta({ id: 'StartAnalysisBody', example: { analysis_types: ['document', 'selfie'] } });

export const AnalysisStarted = z
  .object({ id: z.string(), session_id: z.uuid(), status: SessionStatus, errors: z.array(z.never()) })
  .meta({ id: 'AnalysisStarted' });

const AnalysisBlock = z.object({ status: AnalysisStatus }).loose();

/**
 * The result object served by every result path and sent as the webhook body. Its exact content
 * comes from fixtures/result-template.json; this schema pins the parts integrations rely on.
 */
export const SessionResult = z
  .object({
    id: z.uuid(),
    errors: z.array(z.object({ code: z.string(), description: z.string() })),
    status: SessionStatus,
    relay_state: z.string().nullable(),
    result: z
      .object({
        identity: z
          .object({
            countryCode: z.string(),
            firstName: z.string(),
            lastName: z.string(),
            fullName: z.string(),
            personalNumber: z.string().nullable(),
            dateOfBirth: z.string(),
            gender: z.string(),
            identificationDate: z.string(),
          })
          .nullable(),
        documentAnalysis: AnalysisBlock,
        livenessAnalysis: AnalysisBlock,
        faceMatchAnalysis: AnalysisBlock,
        /** In the built-in template; optional so that a RESULT_TEMPLATE_FILE written before it still loads. */
        fraudAnalysis: AnalysisBlock.optional(),
      })
      .loose(),
  })
  .loose()
  .meta({ id: 'SessionResult' });
export type SessionResult = z.infer<typeof SessionResult>;
