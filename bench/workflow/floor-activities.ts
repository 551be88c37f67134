/** The floor workflow's one activity: a round trip through Temporal's activity machinery, nothing else. */
export const floorActivities = {
  noop(): Promise<string> {
    return Promise.resolve('done');
  },
};

export type FloorActivities = typeof floorActivities;
