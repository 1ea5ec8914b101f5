/**
 * A problem the user can fix: its message is one line saying what is wrong and what to do.
 * main.ts prints it without a stack trace; any other error is a bug and keeps its stack.
 */
export class UserError extends Error {
  override name = 'UserError'
}
