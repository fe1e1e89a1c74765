/**
 * What the upstream client (`answer.ts`) needs of the schema an answer is parsed by: zod's
 * `safeParse` shape. A zod schema has it, and so has a validator generated from the services'
 * documents (`generated/`), through `answerSchema`.
 */
export interface AnswerSchema<T> {
  safeParse(value: unknown): ParseResult<T>;
}

export type ParseResult<T> =
  | { success: true; data: T }
  | { success: false; error: { issues: readonly ParseIssue[] } };

export interface ParseIssue {
  path: readonly PropertyKey[];
  message: string;
}

/** An Ajv validate function, as Ajv's standalone code exports it. */
interface CompiledValidator {
  (value: unknown): boolean;
  errors?: readonly { instancePath: string; message?: string }[] | null;
}

/**
 * A generated validator as an `AnswerSchema`. It drops the properties the BFF does not read
 * (Ajv's `removeAdditional`), so `data` is the value it was given, cut to its type.
 */
export function answerSchema<T>(validate: CompiledValidator): AnswerSchema<T> {
  return {
    safeParse(value) {
      if (validate(value)) return { success: true, data: value as T };
      const issues = (validate.errors ?? []).map((error) => ({
        path: error.instancePath.split('/').slice(1),
        message: error.message ?? 'is not valid',
      }));
      return { success: false, error: { issues } };
    },
  };
}
