package com.cloudgreet.relay.gateway.replay;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.replay.BulkReplay;
import com.cloudgreet.relay.gateway.status.OwnerClient;
import com.cloudgreet.relay.gateway.status.OwnerClient.Owner;
import com.cloudgreet.relay.gateway.web.Reply;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An operator's bulk replay, passed to every owning service's operator area
 * ({@code /internal/v1/admin/replays}) and summed. Each service re-queues at most
 * {@link BulkReplay#MAX_PER_CALL} per call and says how many it left, so an operator repeats the
 * call until {@code remaining} is 0. Used by the admin API and the operator console alike.
 */
@Component
public class BulkReplays {

	private final OwnerClient owners;

	public BulkReplays(OwnerClient owners) {
		this.owners = owners;
	}

	/**
	 * The summed answers, or the first owner's refusal as it came. Java 17 has no pattern switch:
	 * {@link #fold} is the one place that handles both, so a caller cannot forget one.
	 */
	public sealed interface Outcome {

		<T> T fold(java.util.function.Function<Combined, T> done, java.util.function.Function<Reply, T> refused);

		record Done(Combined combined) implements Outcome {

			@Override
			public <T> T fold(java.util.function.Function<Combined, T> done,
					java.util.function.Function<Reply, T> refused) {
				return done.apply(this.combined);
			}

		}

		record Refused(Reply reply) implements Outcome {

			@Override
			public <T> T fold(java.util.function.Function<Combined, T> done,
					java.util.function.Function<Reply, T> refused) {
				return refused.apply(this.reply);
			}

		}

	}

	/**
	 * The owners' answers summed; {@code refused}: messages left as they were because their tenant no
	 * longer allows their sender (they stay failed or dead-lettered, and are not counted as remaining).
	 */
	public record Combined(long replayed, long remaining, long refused, Map<String, BulkReplay.Result> services) {
	}

	public Mono<Outcome> replay(BulkReplay request) {
		byte[] forwarded = RelayJson.write(request);
		return Flux.fromIterable(owners(request))
			.concatMap((owner) -> this.owners
				.call(owner, HttpMethod.POST, BulkReplay.INTERNAL_PATH, null, MediaType.APPLICATION_JSON_VALUE, forwarded)
				.map((reply) -> Map.entry(owner, reply)))
			.collectList()
			.map(BulkReplays::combined);
	}

	/** email/sms live in notification-service, webhook deliveries (and endpoints) in webhook-service. */
	private static List<Owner> owners(BulkReplay request) {
		if (request.endpointId() != null || "webhook".equals(request.channel())) {
			return List.of(Owner.WEBHOOK);
		}
		return request.channel() != null ? List.of(Owner.NOTIFICATION) : List.of(Owner.NOTIFICATION, Owner.WEBHOOK);
	}

	private static Outcome combined(List<Map.Entry<Owner, Reply>> replies) {
		long replayed = 0;
		long remaining = 0;
		long refused = 0;
		Map<String, BulkReplay.Result> services = new LinkedHashMap<>();
		for (Map.Entry<Owner, Reply> entry : replies) {
			Reply reply = entry.getValue();
			if (reply.status() != 202) {
				return new Outcome.Refused(reply);
			}
			BulkReplay.Result result = RelayJson.read(reply.body(), BulkReplay.Result.class);
			replayed += result.replayed();
			remaining += result.remaining();
			refused += result.refused();
			services.put(entry.getKey().name().toLowerCase(), result);
		}
		return new Outcome.Done(new Combined(replayed, remaining, refused, services));
	}

}
