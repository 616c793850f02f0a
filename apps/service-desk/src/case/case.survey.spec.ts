import { caseOfSurveyToken, surveyToken } from './case.survey';

const caseId = '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const now = new Date('2026-11-29T10:00:00Z');
const later = new Date('2026-12-29T10:00:00Z');

describe('satisfaction survey links', () => {
  it('name their case until they expire', () => {
    const token = surveyToken('secret', caseId, later);
    expect(caseOfSurveyToken('secret', token, now)).toBe(caseId);
    expect(caseOfSurveyToken('secret', token, new Date('2026-12-30T10:00:00Z'))).toBeUndefined();
  });

  it('are refused when forged with another key, or when the case or expiry is altered', () => {
    const token = surveyToken('secret', caseId, later);
    const [, expiry, signature] = token.split('.');
    expect(caseOfSurveyToken('other', token, now)).toBeUndefined();
    expect(
      caseOfSurveyToken('secret', `8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f.${expiry}.${signature}`, now),
    ).toBeUndefined();
    expect(
      caseOfSurveyToken('secret', `${caseId}.${Number(expiry) + 86_400}.${signature}`, now),
    ).toBeUndefined();
    expect(caseOfSurveyToken('secret', 'not-a-token', now)).toBeUndefined();
  });
});
