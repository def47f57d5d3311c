import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../protocol/errors';

export interface JoinRequest {
  memberId: string;
  clientId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Array<{ name: string; metadata: Buffer }>;
}

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolName: string;
  leaderId: string;
  memberId: string;
  members: Array<{ memberId: string; metadata: Buffer }>;
}

interface Member {
  memberId: string;
  clientId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Array<{ name: string; metadata: Buffer }>;
  assignment: Buffer;
  lastHeartbeat: number;
  pendingJoin?: (result: JoinResult) => void;
  pendingSync?: (result: { errorCode: number; assignment: Buffer }) => void;
}

type State = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable';

/**
 * One consumer group's membership, following Kafka's classic rebalance protocol: joins are held
 * until every known member has rejoined (or the rebalance timeout drops the ones that did not),
 * then a new generation starts with the leader computing assignments that SyncGroup hands out.
 */
export class ConsumerGroup {
  state: State = 'Empty';
  generationId = 0;
  protocolName = '';
  protocolType = '';
  leaderId = '';
  private readonly members = new Map<string, Member>();
  private rebalanceTimer?: NodeJS.Timeout;

  constructor(readonly groupId: string) {}

  get memberCount(): number {
    return this.members.size;
  }

  describeMembers() {
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId, clientId: m.clientId,
      metadata: m.protocols.find((p) => p.name === this.protocolName)?.metadata ?? Buffer.alloc(0), assignment: m.assignment,
    }));
  }

  join(request: JoinRequest, respond: (result: JoinResult) => void): void {
    const fail = (errorCode: number) => respond({ errorCode, generationId: -1, protocolName: '', leaderId: '', memberId: request.memberId, members: [] });
    if (request.memberId && !this.members.has(request.memberId)) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    if (this.members.size > 0 && request.protocolType !== this.protocolType) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const memberId = request.memberId || `${request.clientId}-${randomUUID()}`;
    const existing = this.members.get(memberId);
    existing?.pendingJoin?.({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, generationId: -1, protocolName: '', leaderId: '', memberId, members: [] });
    const member: Member = {
      memberId, clientId: request.clientId, sessionTimeoutMs: request.sessionTimeoutMs, rebalanceTimeoutMs: request.rebalanceTimeoutMs,
      protocolType: request.protocolType, protocols: request.protocols, assignment: existing?.assignment ?? Buffer.alloc(0),
      lastHeartbeat: Date.now(), pendingJoin: respond,
    };
    this.members.set(memberId, member);
    this.protocolType = request.protocolType;
    this.prepareRebalance();
    this.maybeCompleteJoin();
  }

  sync(generationId: number, memberId: string, assignments: Array<{ memberId: string; assignment: Buffer }>, respond: (r: { errorCode: number; assignment: Buffer }) => void): void {
    const member = this.members.get(memberId);
    if (!member) return respond({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: Buffer.alloc(0) });
    if (generationId !== this.generationId) return respond({ errorCode: ErrorCode.ILLEGAL_GENERATION, assignment: Buffer.alloc(0) });
    if (this.state === 'PreparingRebalance') return respond({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: Buffer.alloc(0) });
    member.lastHeartbeat = Date.now();
    if (this.state === 'Stable') return respond({ errorCode: ErrorCode.NONE, assignment: member.assignment });
    member.pendingSync = respond;
    if (memberId === this.leaderId) {
      for (const m of this.members.values()) m.assignment = Buffer.alloc(0);
      for (const a of assignments) {
        const target = this.members.get(a.memberId);
        if (target) target.assignment = Buffer.from(a.assignment);
      }
      this.state = 'Stable';
      for (const m of this.members.values()) {
        const pending = m.pendingSync;
        m.pendingSync = undefined;
        pending?.({ errorCode: ErrorCode.NONE, assignment: m.assignment });
      }
    }
  }

  heartbeat(generationId: number, memberId: string): number {
    const member = this.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    member.lastHeartbeat = Date.now();
    if (generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (this.state === 'PreparingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    return ErrorCode.NONE;
  }

  /** Whether a commit from this member and generation may be accepted now. */
  validateCommit(generationId: number, memberId: string): number {
    if (generationId < 0) return ErrorCode.NONE; // a standalone (non-group-managed) commit
    const member = this.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (this.state === 'PreparingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    member.lastHeartbeat = Date.now();
    return ErrorCode.NONE;
  }

  leave(memberId: string): number {
    const member = this.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.remove(member);
    return ErrorCode.NONE;
  }

  /** Drops members whose session expired (no heartbeat), as Kafka's coordinator does. */
  expireSessions(now: number): void {
    for (const member of [...this.members.values()]) {
      if (!member.pendingJoin && now - member.lastHeartbeat > member.sessionTimeoutMs) this.remove(member);
    }
  }

  private remove(member: Member): void {
    this.members.delete(member.memberId);
    member.pendingJoin?.({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, generationId: -1, protocolName: '', leaderId: '', memberId: member.memberId, members: [] });
    member.pendingSync?.({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: Buffer.alloc(0) });
    if (this.members.size === 0) {
      clearTimeout(this.rebalanceTimer);
      this.rebalanceTimer = undefined;
      this.state = 'Empty';
      this.leaderId = '';
      this.generationId++;
      return;
    }
    if (member.memberId === this.leaderId) this.leaderId = '';
    this.prepareRebalance();
    this.maybeCompleteJoin();
  }

  private prepareRebalance(): void {
    if (this.state === 'PreparingRebalance') return;
    // Members waiting for their assignment must rejoin instead.
    for (const m of this.members.values()) {
      const pending = m.pendingSync;
      m.pendingSync = undefined;
      pending?.({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: Buffer.alloc(0) });
    }
    this.state = 'PreparingRebalance';
    const timeout = Math.max(...[...this.members.values()].map((m) => m.rebalanceTimeoutMs), 1000);
    clearTimeout(this.rebalanceTimer);
    this.rebalanceTimer = setTimeout(() => this.onRebalanceTimeout(), timeout);
    this.rebalanceTimer.unref();
  }

  private onRebalanceTimeout(): void {
    this.rebalanceTimer = undefined;
    if (this.state !== 'PreparingRebalance') return;
    for (const m of [...this.members.values()]) if (!m.pendingJoin) this.members.delete(m.memberId);
    if (this.members.size === 0) {
      this.state = 'Empty';
      return;
    }
    if (!this.members.has(this.leaderId)) this.leaderId = '';
    this.completeJoin();
  }

  private maybeCompleteJoin(): void {
    if (this.state !== 'PreparingRebalance') return;
    if ([...this.members.values()].every((m) => m.pendingJoin)) this.completeJoin();
  }

  private completeJoin(): void {
    clearTimeout(this.rebalanceTimer);
    this.rebalanceTimer = undefined;
    const members = [...this.members.values()];
    // The protocol every member supports, preferring the order the first member listed.
    const common = members[0].protocols.map((p) => p.name).find((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
    this.generationId++;
    if (!common) {
      for (const m of members) {
        const pending = m.pendingJoin;
        m.pendingJoin = undefined;
        pending?.({ errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL, generationId: -1, protocolName: '', leaderId: '', memberId: m.memberId, members: [] });
      }
      return;
    }
    this.protocolName = common;
    if (!this.leaderId || !this.members.has(this.leaderId)) this.leaderId = members[0].memberId;
    this.state = 'CompletingRebalance';
    const all = members.map((m) => ({ memberId: m.memberId, metadata: m.protocols.find((p) => p.name === common)!.metadata }));
    for (const m of members) {
      const pending = m.pendingJoin;
      m.pendingJoin = undefined;
      m.lastHeartbeat = Date.now();
      pending?.({
        errorCode: ErrorCode.NONE, generationId: this.generationId, protocolName: common, leaderId: this.leaderId, memberId: m.memberId,
        members: m.memberId === this.leaderId ? all : [],
      });
    }
  }

  close(): void {
    clearTimeout(this.rebalanceTimer);
  }
}
