// The worker bundles this module: export every workflow function and nothing with side effects.
export { privilegedAction } from './privileged-action';
