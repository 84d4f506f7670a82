package com.cloudgreet.relay.gateway.status;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.common.id.RelayIds;
import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.gateway.config.GatewayProperties;
import com.cloudgreet.relay.gateway.problem.ApiProblem;
import com.cloudgreet.relay.gateway.web.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Calls the owning services' internal APIs on behalf of an authenticated tenant, with the internal
 * token and the tenant header, and hands back their answer as it is (status, content type, body),
 * so their problem details reach the client unchanged.
 */
@Component
public class OwnerClient {

	private static final Logger log = LoggerFactory.getLogger(OwnerClient.class);

	/** Who owns what: events and endpoints belong to webhook-service, messages to notification-service. */
	public enum Owner {

		NOTIFICATION, WEBHOOK;

		/** The service that owns a message ({@code msg_}) or an event ({@code evt_}); empty for any other id. */
		public static Optional<Owner> of(String id) {
			return RelayIds.kindOf(id).map((kind) -> switch (kind) {
				case EVENT -> WEBHOOK;
				case MESSAGE -> NOTIFICATION;
				default -> null;
			});
		}

	}

	private final WebClient web;

	private final Map<Owner, URI> baseUrls;

	private final String internalToken;

	private final Duration timeout;

	private final Duration retryAfter;

	/**
	 * Boot 4 auto-configures {@code WebClient.Builder} only with the separate webclient starter,
	 * which is not available offline here; a plain builder on Reactor Netty serves these calls.
	 */
	public OwnerClient(GatewayProperties properties) {
		this.web = WebClient.builder().build();
		this.baseUrls = Map.of(Owner.NOTIFICATION, properties.gateway().services().notificationUrl(), Owner.WEBHOOK,
				properties.gateway().services().webhookUrl());
		this.internalToken = properties.internalToken();
		this.timeout = properties.gateway().services().timeout();
		this.retryAfter = properties.gateway().unavailableRetryAfter();
	}

	/**
	 * @param pathAndQuery an already-encoded path under the service's base URL, with its query
	 * @param tenantId the tenant the call acts for; null only for the operator area
	 */
	public Mono<Reply> call(Owner owner, HttpMethod method, String pathAndQuery, String tenantId, String contentType,
			byte[] body) {
		URI uri = URI.create(this.baseUrls.get(owner).toString().replaceAll("/+$", "") + pathAndQuery);
		WebClient.RequestBodySpec request = this.web.method(method)
			.uri(uri)
			.header(RelayHttpHeaders.INTERNAL_TOKEN, this.internalToken);
		// Only the owners' operator area (/internal/v1/admin/**) is called without a tenant.
		if (tenantId != null) {
			request.header(RelayHttpHeaders.TENANT_ID, tenantId);
		}
		if (body != null && body.length > 0) {
			request.header(HttpHeaders.CONTENT_TYPE, contentType).bodyValue(body);
		}
		return request.exchangeToMono((response) -> response.bodyToMono(byte[].class)
			.defaultIfEmpty(new byte[0])
			.map((bytes) -> {
				Map<String, String> headers = new LinkedHashMap<>();
				for (String name : Reply.KEPT_HEADERS) {
					String value = response.headers().asHttpHeaders().getFirst(name);
					if (value != null) {
						headers.put(name, name.equals(HttpHeaders.LOCATION) ? publicLocation(value) : value);
					}
				}
				return new Reply(response.statusCode().value(), headers, publicProblem(headers, bytes));
			}))
			.timeout(this.timeout)
			.onErrorMap((ex) -> !(ex instanceof ApiProblem), (ex) -> {
				log.warn("{} service did not answer {} {}: {}", owner, method, pathAndQuery, ex.toString());
				return ApiProblem.unavailable("The " + owner.name().toLowerCase() + " service is unavailable; retry shortly.",
						this.retryAfter);
			});
	}

	/** A problem's {@code instance} names the internal path; the client is shown the public one. */
	private static byte[] publicProblem(Map<String, String> headers, byte[] body) {
		String type = headers.get(HttpHeaders.CONTENT_TYPE);
		if (type == null || !type.startsWith(MediaType.APPLICATION_PROBLEM_JSON_VALUE) || body.length == 0) {
			return body;
		}
		try {
			JsonNode problem = RelayJson.mapper().readTree(body);
			if (problem instanceof ObjectNode object && problem.path("instance").isString()) {
				object.put("instance", publicLocation(problem.path("instance").asString()));
				return RelayJson.write(object);
			}
		}
		catch (JacksonException ex) {
			log.debug("Owner answered an unreadable problem; passing it on as it is: {}", ex.toString());
		}
		return body;
	}

	/** An internal Location ({@code /internal/v1/endpoints/ep_…}) is shown as its public path. */
	private static String publicLocation(String location) {
		int internal = location.indexOf("/internal/v1/");
		return internal < 0 ? location : location.substring(internal + "/internal".length());
	}

}
