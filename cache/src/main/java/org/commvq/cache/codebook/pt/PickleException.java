package org.commvq.cache.codebook.pt;

/**
 * A pickle stream the restricted unpickler refuses or cannot parse. One line, naming the byte offset and the opcode
 * or global at fault; nothing in the stream has been acted on beyond building plain data.
 */
public class PickleException extends RuntimeException {
    public PickleException(String message) {
        super(message);
    }
}
