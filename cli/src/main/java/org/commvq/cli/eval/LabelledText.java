package org.commvq.cli.eval;

/** A text to evaluate on, with what to call it in reports, e.g. "austen.txt (validation split)". */
record LabelledText(String label, String content) {
}
