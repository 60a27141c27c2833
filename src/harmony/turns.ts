// Which earlier messages belong to a finished turn: the rule the renderer drops chain of
// thought by, shared with the transports that send reasoning back to a server. A turn runs
// from one user message to the next; it is finished once the assistant answered in it
// (final channel). The trailing turn of a tool loop has no answer yet and keeps its reasoning
// (the format guide's "Handling reasoning output in subsequent sampling",
// https://cookbook.openai.com/articles/openai-harmony).

/** What a message is to the turn rule: it opens a turn, answers in it, or neither. */
export type TurnRole = 'user' | 'answer' | 'other';

/** Indices of the items that belong to a finished turn (the last turn counts too once answered). */
export function finishedTurnItems<T>(items: readonly T[], roleOf: (item: T) => TurnRole): Set<number> {
  const finished = new Set<number>();
  let turn: number[] = [];
  let answered = false;
  const closeTurn = (): void => {
    if (answered) for (const i of turn) finished.add(i);
    turn = [];
    answered = false;
  };
  items.forEach((item, i) => {
    const role = roleOf(item);
    if (role === 'user') closeTurn();
    turn.push(i);
    if (role === 'answer') answered = true;
  });
  closeTurn();
  return finished;
}
