package com.cloudgreet.relay.gateway.web;

import com.cloudgreet.relay.common.problem.ProblemTypes;
import com.cloudgreet.relay.gateway.config.GatewayProperties;
import com.cloudgreet.relay.gateway.problem.ApiProblem;
import com.cloudgreet.relay.gateway.problem.ProblemExceptionHandler;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Reads JSON request bodies as bytes, enforcing the content type and the size cap before any
 * parsing: a declared {@code Content-Length} over the cap is refused without reading, and a
 * chunked body is cut off the moment it crosses the cap.
 */
@Component
public class RequestBodies {

	private final int maxBytes;

	public RequestBodies(GatewayProperties properties) {
		this.maxBytes = (int) Math.min(Integer.MAX_VALUE, properties.gateway().maxBodySize().toBytes());
	}

	public Mono<byte[]> json(ServerHttpRequest request) {
		MediaType contentType = request.getHeaders().getContentType();
		if (contentType == null || !isJson(contentType)) {
			return Mono.error(new ApiProblem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, ProblemTypes.UNSUPPORTED_MEDIA_TYPE,
					"Unsupported media type", "The body must be application/json."));
		}
		if (contentType.getCharset() != null && !"UTF-8".equalsIgnoreCase(contentType.getCharset().name())) {
			return Mono.error(new ApiProblem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, ProblemTypes.UNSUPPORTED_MEDIA_TYPE,
					"Unsupported media type", "JSON bodies must be UTF-8."));
		}
		if (request.getHeaders().getContentLength() > this.maxBytes) {
			return Mono.error(ProblemExceptionHandler.tooLarge());
		}
		return DataBufferUtils.join(request.getBody(), this.maxBytes)
			.map(RequestBodies::bytes)
			.defaultIfEmpty(new byte[0])
			.onErrorMap(DataBufferLimitException.class, (ex) -> ProblemExceptionHandler.tooLarge());
	}

	private static boolean isJson(MediaType type) {
		return MediaType.APPLICATION_JSON.isCompatibleWith(type)
				|| ("application".equals(type.getType()) && type.getSubtype().endsWith("+json"));
	}

	private static byte[] bytes(DataBuffer buffer) {
		try {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			return bytes;
		}
		finally {
			DataBufferUtils.release(buffer);
		}
	}

}
