/**
 * The APIs and versions this broker speaks. Every version listed is a non-flexible one; kafkajs
 * picks, per API, the highest version both sides support, so these ranges decide the wire format.
 */
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  InitProducerId: 22,
  CreatePartitions: 37,
  DeleteGroups: 42,
} as const;

export const SUPPORTED_VERSIONS: Record<number, [min: number, max: number]> = {
  [ApiKey.Produce]: [3, 3],
  [ApiKey.Fetch]: [4, 4],
  [ApiKey.ListOffsets]: [1, 1],
  [ApiKey.Metadata]: [1, 1],
  [ApiKey.OffsetCommit]: [2, 2],
  [ApiKey.OffsetFetch]: [1, 1],
  [ApiKey.FindCoordinator]: [0, 1],
  [ApiKey.JoinGroup]: [0, 2],
  [ApiKey.Heartbeat]: [0, 1],
  [ApiKey.LeaveGroup]: [0, 1],
  [ApiKey.SyncGroup]: [0, 1],
  [ApiKey.DescribeGroups]: [0, 0],
  [ApiKey.ListGroups]: [0, 2],
  [ApiKey.ApiVersions]: [0, 2],
  [ApiKey.CreateTopics]: [0, 1],
  [ApiKey.DeleteTopics]: [0, 0],
  [ApiKey.InitProducerId]: [0, 0],
  [ApiKey.CreatePartitions]: [0, 1],
  [ApiKey.DeleteGroups]: [0, 1],
};

export const API_NAMES: Record<number, string> = Object.fromEntries(Object.entries(ApiKey).map(([name, key]) => [key, name]));
