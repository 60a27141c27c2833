// Who a message is addressed to. One definition for the parser, the classifier and the
// transports: a recipient that is a person is no call; any other recipient is a tool,
// and the message ends with `<|call|>`.

/** Recipients that are people, not tools: a message to them is not a call. */
export const NON_TOOL_RECIPIENTS: ReadonlySet<string> = new Set(['assistant', 'user', 'all']);

/** Does a message with this recipient address a tool (and so end with `<|call|>`)? */
export function addressesTool(recipient: string | undefined): boolean {
  return recipient !== undefined && recipient !== '' && !NON_TOOL_RECIPIENTS.has(recipient);
}
