package gauntlet.spring;

/** An answer other than 200 with a JSON body {@code {"error": message}}. */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** The HTTP status to answer with. */
    final int status;

    ApiError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }
}
