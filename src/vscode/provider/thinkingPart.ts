// LanguageModelThinkingPart is proposed API, yet VS Code 1.138+ exposes the class to
// every extension and forwards it as collapsible reasoning without a proposal check
// (the proposal: https://github.com/microsoft/vscode/blob/main/src/vscode-dts/vscode.proposed.languageModelThinkingPart.d.ts;
// no proposal check where the extension host forwards parts: src/vs/workbench/api/common/extHostLanguageModels.ts).
// Declared here, feature-detected at run time.
import * as vscode from 'vscode';

export interface ThinkingPart {
  readonly value: string | string[];
  readonly id?: string;
  readonly metadata?: { readonly [key: string]: unknown };
}

type ThinkingPartClass = new (value: string | string[], id?: string, metadata?: { readonly [key: string]: unknown }) => ThinkingPart;

export function thinkingPartClass(): ThinkingPartClass | undefined {
  const candidate = (vscode as unknown as { LanguageModelThinkingPart?: unknown }).LanguageModelThinkingPart;
  return typeof candidate === 'function' ? (candidate as ThinkingPartClass) : undefined;
}

export function isThinkingPart(part: unknown): part is ThinkingPart {
  const cls = thinkingPartClass();
  return cls !== undefined && part instanceof cls;
}

export function thinkingText(part: ThinkingPart): string {
  return Array.isArray(part.value) ? part.value.join('') : part.value;
}
