package com.cloudgreet.relay.gateway.console;

import java.util.Optional;

import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.gateway.status.OwnerClient;
import com.cloudgreet.relay.gateway.status.OwnerClient.Owner;
import com.cloudgreet.relay.gateway.web.Reply;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Mono;

/**
 * The console's reads from the owning services, through {@link OwnerClient} (internal token and the
 * session's tenant, so every query is tenant-scoped by the owner). Empty when the owner has no
 * such thing for this tenant.
 */
@Component
class ConsoleOwners {

	private final OwnerClient owners;

	ConsoleOwners(OwnerClient owners) {
		this.owners = owners;
	}

	Mono<ConsoleViews.EndpointPage> endpoints(String tenantId, String after) {
		String path = UriComponentsBuilder.fromPath("/internal/v1/endpoints")
			.queryParamIfPresent("after", Optional.ofNullable(after))
			.encode()
			.build()
			.toUriString();
		return get(Owner.WEBHOOK, path, tenantId, ConsoleViews.EndpointPage.class);
	}

	/** Webhook events newest first; {@code before} is the previous page's {@code next}. */
	Mono<ConsoleViews.MessagePage> events(String tenantId, String status, java.util.List<String> endpointIds,
			String before) {
		UriComponentsBuilder path = UriComponentsBuilder.fromPath("/internal/v1/messages")
			.queryParamIfPresent("status", Optional.ofNullable(status))
			.queryParamIfPresent("before", Optional.ofNullable(before));
		endpointIds.forEach((id) -> path.queryParam("endpointId", id));
		return get(Owner.WEBHOOK, path.encode().build().toUriString(), tenantId, ConsoleViews.MessagePage.class);
	}

	Mono<ConsoleViews.Message> message(String tenantId, String id) {
		return Mono.justOrEmpty(Owner.of(id))
			.flatMap((owner) -> get(owner, "/internal/v1/messages/" + id, tenantId, ConsoleViews.Message.class));
	}

	private <T> Mono<T> get(Owner owner, String path, String tenantId, Class<T> type) {
		return this.owners.call(owner, HttpMethod.GET, path, tenantId, null, null).flatMap((Reply reply) -> {
			if (reply.status() == 404) {
				return Mono.empty();
			}
			if (reply.status() != 200) {
				return Mono.error(new IllegalStateException(owner + " answered " + reply.status() + " to " + path));
			}
			return Mono.just(RelayJson.read(reply.body(), type));
		});
	}

}
