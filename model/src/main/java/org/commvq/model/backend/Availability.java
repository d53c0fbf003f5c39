package org.commvq.model.backend;

/** Whether a backend can run here; the reason is one line that says what is missing, or what was found. */
public record Availability(boolean available, String reason) {

    public static Availability yes(String found) {
        return new Availability(true, found);
    }

    public static Availability no(String missing) {
        return new Availability(false, missing);
    }
}
