import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes that make actions findable in the Temporal UI and the list API.
 * Never put secrets or personal data here: search attributes are not encrypted.
 */
export const StatusAttribute = defineSearchAttributeKey('AirlockStatus', SearchAttributeType.KEYWORD);
export const ActionAttribute = defineSearchAttributeKey('AirlockAction', SearchAttributeType.KEYWORD);
export const RequesterAttribute = defineSearchAttributeKey('AirlockRequester', SearchAttributeType.KEYWORD);
export const ApproversAttribute = defineSearchAttributeKey('AirlockApprovers', SearchAttributeType.KEYWORD_LIST);
export const RiskAttribute = defineSearchAttributeKey('AirlockRisk', SearchAttributeType.KEYWORD);
/** When the action's fate was settled: approved, rejected, denied, expired or cancelled. */
export const DecisionTimeAttribute = defineSearchAttributeKey('AirlockDecisionTime', SearchAttributeType.DATETIME);

/** Name and CLI type of each attribute, for `temporal server start-dev --search-attribute` and operator setup. */
export const SEARCH_ATTRIBUTES: readonly { name: string; type: 'Keyword' | 'KeywordList' | 'Datetime' }[] = [
  { name: StatusAttribute.name, type: 'Keyword' },
  { name: ActionAttribute.name, type: 'Keyword' },
  { name: RequesterAttribute.name, type: 'Keyword' },
  { name: ApproversAttribute.name, type: 'KeywordList' },
  { name: RiskAttribute.name, type: 'Keyword' },
  { name: DecisionTimeAttribute.name, type: 'Datetime' },
];
