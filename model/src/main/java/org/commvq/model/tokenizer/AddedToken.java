package org.commvq.model.tokenizer;

/**
 * A token matched in the text as a whole string before pre-tokenization, such as {@code <|eot_id|>}.
 *
 * @param special a control token: matched in text only when the caller allows it, so user text cannot forge one
 */
record AddedToken(int id, String content, boolean special) {
}
