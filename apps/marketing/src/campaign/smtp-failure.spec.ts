import { classifySmtpFailure } from './smtp-failure';

/** nodemailer's errors as it throws them: `responseCode` and the server's `response` line. */
const smtpError = (responseCode: number | undefined, response: string, code = 'EENVELOPE') =>
  Object.assign(new Error(`Can't send mail - all recipients were rejected: ${response}`), {
    code,
    responseCode,
    response,
  });

describe('what a failed SMTP send means', () => {
  it('a 5xx is a hard bounce, with the reply code and the enhanced status', () => {
    expect(classifySmtpFailure(smtpError(550, '550 5.1.1 Mailbox unknown'))).toEqual({
      kind: 'permanent',
      smtp: { smtpCode: 550, smtpStatus: '5.1.1' },
      error: '550 5.1.1 Mailbox unknown',
    });
  });

  it('a 5xx without an enhanced status still bounces, with the code only', () => {
    expect(classifySmtpFailure(smtpError(554, '554 Transaction failed'))).toMatchObject({
      kind: 'permanent',
      smtp: { smtpCode: 554 },
    });
  });

  it('a 4xx is tried again later', () => {
    expect(classifySmtpFailure(smtpError(451, '451 4.7.1 Greylisted, try later'))).toEqual({
      kind: 'temporary',
      error: '451 4.7.1 Greylisted, try later',
    });
  });

  it('no answer at all (server unreachable) is tried again later', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2525'), { code: 'ESOCKET' });
    expect(classifySmtpFailure(refused)).toEqual({
      kind: 'temporary',
      error: 'connect ECONNREFUSED 127.0.0.1:2525',
    });
  });
});
