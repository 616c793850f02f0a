/**
 * What a failed SMTP send means for the send ledger. Pure: the error nodemailer threw in, the
 * decision out.
 * - `permanent`: the server answered 5xx (e.g. `550 5.1.1` unknown mailbox at RCPT TO): a hard
 *   bounce; sending again would fail the same way.
 * - `temporary`: a 4xx answer (greylisting, mailbox full, rate limits), or no answer at all (the
 *   server unreachable, the connection lost, a timeout): the message may go through later.
 */
export type SmtpFailure =
  | { kind: 'permanent'; smtp: { smtpCode: number; smtpStatus?: string }; error: string }
  | { kind: 'temporary'; error: string };

/** The enhanced status code (RFC 3463) at the start of an SMTP reply's text: `5.1.1`. */
const ENHANCED_STATUS = /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/;

export function classifySmtpFailure(error: unknown): SmtpFailure {
  const { responseCode, response, message } = (error ?? {}) as {
    responseCode?: unknown;
    response?: unknown;
    message?: unknown;
  };
  const text =
    typeof response === 'string' ? response : typeof message === 'string' ? message : String(error);
  if (typeof responseCode === 'number' && responseCode >= 500 && responseCode <= 599) {
    const status = ENHANCED_STATUS.exec(text)?.[1];
    return {
      kind: 'permanent',
      smtp: { smtpCode: responseCode, ...(status?.startsWith('5.') ? { smtpStatus: status } : {}) },
      error: text,
    };
  }
  return { kind: 'temporary', error: text };
}
