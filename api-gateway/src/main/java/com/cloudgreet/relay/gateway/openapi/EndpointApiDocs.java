package com.cloudgreet.relay.gateway.openapi;

import java.util.List;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.BooleanSchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.DateTimeSchema;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.NumberSchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.stereotype.Component;

/**
 * Documents the {@code /v1/endpoints} routes. The gateway passes them through to webhook-service
 * with one generic handler, so there are no per-route annotations to read them from.
 */
@Component
public class EndpointApiDocs implements OpenApiCustomizer {

	private static final String TAG = "Webhook endpoints";

	private static final String ENDPOINT = "#/components/schemas/Endpoint";

	private static final String PROBLEM = "#/components/schemas/Problem";

	@Override
	public void customise(OpenAPI openApi) {
		openApi.getComponents()
			.addSchemas("Endpoint", endpointSchema())
			.addSchemas("EndpointRequest", endpointRequestSchema())
			.addSchemas("Attempt", attemptSchema());
		Parameter id = new Parameter().in("path").name("endpointId").required(true).schema(new StringSchema().example("ep_..."));
		openApi.path("/v1/endpoints", new PathItem()
			.get(operation("listEndpoints", "List endpoints", "A page of the tenant's endpoints, oldest first; pass `next` as `after`.",
					ok(new ObjectSchema().addProperty("data", new ArraySchema().items(ref(ENDPOINT)))
						.addProperty("next", new StringSchema().nullable(true))))
				.addParametersItem(query("limit", new IntegerSchema()))
				.addParametersItem(query("after", new StringSchema())))
			.post(operation("createEndpoint", "Create an endpoint",
					"The answer is the only time the signing secret (`whsec_...`) is shown, besides rotation; "
							+ "an Idempotency-Key replay of it shows `secret: null` (secrets are never cached). "
							+ "URLs that resolve to loopback, private, link-local or metadata addresses are refused.",
					responses("201", "Created", ref(ENDPOINT)))
				.requestBody(jsonBody("#/components/schemas/EndpointRequest"))));
		openApi.path("/v1/endpoints/{endpointId}", new PathItem().addParametersItem(id)
			.get(operation("readEndpoint", "Read an endpoint", null, ok(ref(ENDPOINT))))
			.patch(operation("updateEndpoint", "Update an endpoint",
					"Any of url, eventTypes, description, enabled, rateLimit; `enabled: true` re-enables an endpoint that was "
							+ "disabled and resumes its deliveries.",
					ok(ref(ENDPOINT)))
				.requestBody(jsonBody("#/components/schemas/EndpointRequest")))
			.delete(operation("deleteEndpoint", "Delete an endpoint", null, responses("204", "Deleted", null))));
		openApi.path("/v1/endpoints/{endpointId}/rotate-secret", new PathItem().addParametersItem(id)
			.post(operation("rotateEndpointSecret", "Rotate the signing secret",
					"Until `previousSecretExpiresAt` deliveries carry signatures by both secrets.", ok(ref(ENDPOINT)))));
		openApi.path("/v1/endpoints/{endpointId}/attempts", new PathItem().addParametersItem(id)
			.get(operation("listEndpointAttempts", "List delivery attempts", "Newest first.",
					ok(new ObjectSchema().addProperty("data", new ArraySchema().items(ref("#/components/schemas/Attempt")))))
				.addParametersItem(query("limit", new IntegerSchema()))
				.addParametersItem(query("before", new DateTimeSchema()))));
		openApi.path("/v1/endpoints/{endpointId}/replay", new PathItem().addParametersItem(id)
			.post(operation("replayEndpoint", "Replay failed deliveries",
					"Failed and dead-lettered deliveries to this endpoint created since `since` go out again.",
					responses("202", "Replaying", new ObjectSchema().addProperty("deliveries", new IntegerSchema())))
				.addParametersItem(query("since", new DateTimeSchema()).required(true))));
	}

	private static Operation operation(String id, String summary, String description, ApiResponses responses) {
		responses.addApiResponse("401", problem("Missing or invalid API key"))
			.addApiResponse("404", problem("No such endpoint for this tenant"))
			.addApiResponse("422", problem("Invalid fields or an unsafe URL"))
			.addApiResponse("429", problem("Rate limited; see Retry-After"));
		return new Operation().operationId(id).summary(summary).description(description).addTagsItem(TAG).responses(responses);
	}

	private static ApiResponses ok(Schema<?> schema) {
		return responses("200", "OK", schema);
	}

	private static ApiResponses responses(String code, String description, Schema<?> schema) {
		ApiResponse response = new ApiResponse().description(description);
		if (schema != null) {
			response.content(new Content().addMediaType("application/json", new MediaType().schema(schema)));
		}
		return new ApiResponses().addApiResponse(code, response);
	}

	private static ApiResponse problem(String description) {
		return new ApiResponse().description(description)
			.content(new Content().addMediaType("application/problem+json", new MediaType().schema(ref(PROBLEM))));
	}

	private static RequestBody jsonBody(String schemaRef) {
		return new RequestBody().required(true)
			.content(new Content().addMediaType("application/json", new MediaType().schema(ref(schemaRef))));
	}

	private static Parameter query(String name, Schema<?> schema) {
		return new Parameter().in("query").name(name).required(false).schema(schema);
	}

	private static Schema<?> ref(String ref) {
		return new Schema<>().$ref(ref);
	}

	private static Schema<?> endpointRequestSchema() {
		return new ObjectSchema().addProperty("url", new StringSchema().format("uri").example("https://example.com/hooks"))
			.addProperty("eventTypes", new ArraySchema().items(new StringSchema()).description("empty: every event type"))
			.addProperty("description", new StringSchema())
			.addProperty("enabled", new BooleanSchema())
			.addProperty("rateLimit", new NumberSchema().description(
					"deliveries per second to this endpoint, across every replica (0.001 to 10000); 0 on update removes it"))
			.required(List.of("url"));
	}

	private static Schema<?> endpointSchema() {
		return new ObjectSchema().addProperty("id", new StringSchema())
			.addProperty("url", new StringSchema().format("uri"))
			.addProperty("eventTypes", new ArraySchema().items(new StringSchema()))
			.addProperty("description", new StringSchema().nullable(true))
			.addProperty("enabled", new BooleanSchema())
			.addProperty("disabledReason", new StringSchema().nullable(true))
			.addProperty("disabledAt", new DateTimeSchema().nullable(true))
			.addProperty("rateLimit", new NumberSchema().description("deliveries per second; absent: unlimited"))
			.addProperty("createdAt", new DateTimeSchema())
			.addProperty("updatedAt", new DateTimeSchema())
			.addProperty("secret", new StringSchema().description("only on creation and rotation"))
			.addProperty("previousSecretExpiresAt", new DateTimeSchema().description("only on rotation"));
	}

	private static Schema<?> attemptSchema() {
		return new ObjectSchema().addProperty("number", new IntegerSchema())
			.addProperty("at", new DateTimeSchema())
			.addProperty("outcome", new StringSchema())
			.addProperty("deliveryId", new StringSchema())
			.addProperty("eventId", new StringSchema())
			.addProperty("endpointId", new StringSchema())
			.addProperty("statusCode", new IntegerSchema().nullable(true))
			.addProperty("latencyMs", new IntegerSchema())
			.addProperty("responseExcerpt", new StringSchema().nullable(true))
			.addProperty("error", new StringSchema().nullable(true));
	}

}
