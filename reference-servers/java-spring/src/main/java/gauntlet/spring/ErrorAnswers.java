package gauntlet.spring;

import java.util.Map;

import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every error the contract names, answered with a JSON {@code {"error": ...}}
 * body. Sent as bytes: a body Jackson writes from an exception handler goes
 * out chunked, and the contract wants Content-Length on every response.
 */
@RestControllerAdvice
class ErrorAnswers {
    private final JsonMapper mapper;

    ErrorAnswers(JsonMapper mapper) {
        this.mapper = mapper;
    }

    private ResponseEntity<byte[]> answer(ResponseEntity.BodyBuilder builder, String message) {
        return builder.contentType(MediaType.APPLICATION_JSON).body(mapper.writeValueAsBytes(Map.of("error", message)));
    }

    @ExceptionHandler(ApiError.class)
    ResponseEntity<byte[]> api(ApiError e) {
        return answer(ResponseEntity.status(e.status), e.getMessage());
    }

    @ExceptionHandler({NoHandlerFoundException.class, NoResourceFoundException.class})
    ResponseEntity<byte[]> notFound(Exception e) {
        return answer(ResponseEntity.status(404), "no such path");
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<byte[]> wrongMethod(HttpRequestMethodNotSupportedException e) {
        HttpMethod[] allowed = e.getSupportedHttpMethods() == null ? new HttpMethod[0]
                : e.getSupportedHttpMethods().toArray(new HttpMethod[0]);
        return answer(ResponseEntity.status(405).allow(allowed), e.getMethod() + " is not allowed here");
    }
}
