package com.cloudgreet.relay.gateway.console.operator;

import java.util.Optional;

import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.operator.OperatorViews;
import com.cloudgreet.relay.gateway.status.OwnerClient;
import com.cloudgreet.relay.gateway.status.OwnerClient.Owner;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Mono;

/**
 * The operator console's reads from the services' operator area ({@code /internal/v1/admin/**}:
 * the internal token, no tenant). A service that is down or answers otherwise fails the read; the
 * page shows that service as unavailable.
 */
@Component
class OperatorOwners {

	private final OwnerClient owners;

	OperatorOwners(OwnerClient owners) {
		this.owners = owners;
	}

	Mono<OperatorViews.DeadLetterCounts> deadLetterCounts(Owner owner) {
		return get(owner, OperatorViews.DEAD_LETTER_COUNTS_PATH, OperatorViews.DeadLetterCounts.class);
	}

	Mono<OperatorViews.DeadLetterPage> deadLetters(String channel, String cause, String before) {
		String path = UriComponentsBuilder.fromPath(OperatorViews.DEAD_LETTERS_PATH)
			.queryParam("channel", channel)
			.queryParamIfPresent("cause", Optional.ofNullable(cause))
			.queryParamIfPresent("before", Optional.ofNullable(before))
			.encode()
			.build()
			.toUriString();
		return get(ownerOf(channel), path, OperatorViews.DeadLetterPage.class);
	}

	Mono<OperatorViews.ChannelState[]> channels() {
		return get(Owner.NOTIFICATION, OperatorViews.CHANNELS_PATH, OperatorViews.ChannelState[].class);
	}

	Mono<OperatorViews.DisabledEndpointPage> disabledEndpoints(String after) {
		String path = UriComponentsBuilder.fromPath(OperatorViews.DISABLED_ENDPOINTS_PATH)
			.queryParamIfPresent("after", Optional.ofNullable(after))
			.encode()
			.build()
			.toUriString();
		return get(Owner.WEBHOOK, path, OperatorViews.DisabledEndpointPage.class);
	}

	static Owner ownerOf(String channel) {
		return "webhook".equals(channel) ? Owner.WEBHOOK : Owner.NOTIFICATION;
	}

	private <T> Mono<T> get(Owner owner, String path, Class<T> type) {
		return this.owners.call(owner, HttpMethod.GET, path, null, null, null).flatMap((reply) -> {
			if (reply.status() != 200) {
				return Mono.error(new IllegalStateException(owner + " answered " + reply.status() + " to " + path));
			}
			return Mono.just(RelayJson.read(reply.body(), type));
		});
	}

}
