// A shared subscription group, `$share/{ShareName}/{filter}` (MQTT 5.0 §4.8.2): every matching
// message goes to exactly one member. Members take turns (round-robin), which is one of the
// distribution strategies §4.8.2 leaves to the Server.

export interface SharedGroupMember {
  /** Position in the group's member array, so leaving the group is O(1). */
  memberIndex: number;
}

export class SharedGroup<M extends SharedGroupMember> {
  readonly shareName: string;
  private readonly members: M[] = [];
  private cursor = 0;

  constructor(shareName: string) {
    this.shareName = shareName;
  }

  get size(): number {
    return this.members.length;
  }

  add(member: M): void {
    member.memberIndex = this.members.length;
    this.members.push(member);
  }

  remove(member: M): void {
    // Swap-remove keeps removal O(1); the member moved into the hole takes its turn from there.
    const last = this.members.pop();
    if (last === undefined) return;
    if (last !== member) {
      this.members[member.memberIndex] = last;
      last.memberIndex = member.memberIndex;
    }
    member.memberIndex = -1;
    if (this.cursor >= this.members.length) this.cursor = 0;
  }

  /** The member whose turn it is; advances the turn. */
  next(): M | undefined {
    const member = this.members[this.cursor];
    this.cursor = this.cursor + 1 >= this.members.length ? 0 : this.cursor + 1;
    return member;
  }
}
