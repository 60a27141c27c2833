// The Harmony library's public surface: everything the transports, the CLI and the adapter use.
export { conversationFromChatRequest, renderChatRequest, type ChatRequestOptions, type HarmonyConversation, type RenderedChatRequest } from './chatRequest';
export { classify, type ClassifyOptions, type MessageKind } from './classify';
export { HarmonyInputError } from './errors';
export { functionNames, modelFunctionName, sanitiseFunctionName, type FunctionNames } from './functionNames';
export { MAX_TOKENS_SHOWN, readTranscript, tokenChips, type InspectedMessage, type InspectedToken, type TranscriptReading } from './inspect';
export { isObject } from './json';
export { parseCompletion, summarise, type BuiltinCall, type CompletionOptions, type CompletionSummary, type SummaryOptions, type ToolCall } from './parseCompletion';
export { createParser, type HarmonyParser, type ParserOptions } from './parser';
export type { MessageHeader, MessageStop, ParsedMessage, ParserEvent } from './parserTypes';
export { MARKUP_BREAK, breakMarkup, promptText } from './promptText';
export { finishedTurnItems, type TurnRole } from './turns';
export { renderConversation, renderForCompletion, renderForTraining, renderMessage, type AnalysisPolicy, type RenderOptions } from './render';
export { looksStripped, mayBecomeStripped, splitStrippedMarkers, type StrippedMessage, type StrippedOptions, type StrippedSplit } from './strippedMarkers';
export { addressesTool, NON_TOOL_RECIPIENTS } from './recipients';
export { note, noteMessages, type NoteCode, type ParserNote } from './notes';
export { createMarkupSplitter, type MarkupSplitter, type TextToken } from './textTokens';
export {
  clearEncodeMemo,
  countOrdinary,
  decode,
  decodeToken,
  encodeOrdinary,
  encodeOrdinaryCached,
  encodeWithMarkup,
  tokenBytes,
  tokensForBytes,
} from './tokenizer';
export * from './tokens';
export * from './types';
export { createUtf8Stream, type Utf8Stream } from './utf8Stream';
