/** The one shape every error response has, whatever service or layer produced it. */
export interface ErrorResponse {
  statusCode: number;
  /** Stable, machine-readable code (e.g. VALIDATION_FAILED, LEAD_NOT_FOUND, REVISION_CONFLICT). */
  code: string;
  message: string;
  /** For 400s: every offending field and what is wrong with it. */
  errors?: { field: string; messages: string[] }[];
  details?: Record<string, unknown>;
  correlationId?: string;
}
