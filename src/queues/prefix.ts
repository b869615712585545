/** The BullMQ prefix of one queue: a hash tag of its own, `{<stem>:<queue>}` (DESIGN.md 2). */
export const queuePrefix = (stem: string, queue: string): string => `{${stem}:${queue}}`;
