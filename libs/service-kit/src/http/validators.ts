import { ValidateBy, ValidateIf, isISO8601, type ValidationOptions } from 'class-validator';

/**
 * The field may be left out, but not sent as null: unlike `@IsOptional()`, null goes on to the
 * field's other rules and fails them, so that no command (and no event) ever carries a null.
 */
export const OptionalField = (): PropertyDecorator =>
  ValidateIf((_object: object, value: unknown) => value !== undefined);

/** A string with at least one character that is not white space. */
export const IsNotBlank = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isNotBlank',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && value.trim() !== '',
        defaultMessage: (args) => `${args?.property} must not be blank`,
      },
    },
    options,
  );

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A calendar day, `YYYY-MM-DD`, that exists (no 2021-02-30), as a PostgreSQL `date` takes it. */
export const IsCalendarDate = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && DATE.test(value) && isISO8601(value, { strict: true }),
        defaultMessage: (args) => `${args?.property} must be a date as YYYY-MM-DD`,
      },
    },
    options,
  );

/**
 * A point in time: a calendar day, or a day and time with a zone (`2026-05-01T10:00:00Z`), that
 * exists and that `Date` can read (ISO week and ordinal forms pass class-validator but not `Date`).
 */
export const IsInstant = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isInstant',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          (DATE.test(value) || DATE_TIME.test(value)) &&
          isISO8601(value, { strict: true, strictSeparator: true }) &&
          !Number.isNaN(Date.parse(value)),
        defaultMessage: (args) =>
          `${args?.property} must be a date or a date and time with a zone (ISO 8601)`,
      },
    },
    options,
  );

/**
 * A number written in plain notation with at most `places` decimals (amounts, percentages).
 * Unlike `@IsNumber({ maxDecimalPlaces })`, which throws on `2e-323`, it answers false for the
 * exponent forms and for numbers too large to be written without one (1e21 and beyond).
 */
export const IsDecimalNumber = (places: number, options?: ValidationOptions): PropertyDecorator => {
  const plain = new RegExp(`^-?\\d+(\\.\\d{1,${places}})?$`);
  return ValidateBy(
    {
      name: 'isDecimalNumber',
      validator: {
        validate: (value: unknown) => typeof value === 'number' && plain.test(String(value)),
        defaultMessage: (args) => `${args?.property} must be a number with at most ${places} decimal places`,
      },
    },
    options,
  );
};
