import { mergeFields, unknownMergeFields } from './merge-fields';

describe('mergeFields', () => {
  it('fills each field the profile has, with spaces inside the braces or not', () => {
    expect(
      mergeFields('Hello {{name}}, write to {{ email }}.', { name: 'Ana', email: 'ana@example.com' }),
    ).toBe('Hello Ana, write to ana@example.com.');
  });

  it('leaves an empty string for a field the profile lacks, and fields it does not know as written', () => {
    expect(mergeFields('Hi {{name}}! {{coupon}}', { name: null })).toBe('Hi ! {{coupon}}');
  });

  it('names the fields a template uses that profiles do not have', () => {
    expect(unknownMergeFields('{{name}} {{coupon}} {{coupon}} {{ city }}')).toEqual(['coupon', 'city']);
    expect(unknownMergeFields('plain text, {{name}}')).toEqual([]);
  });
});
