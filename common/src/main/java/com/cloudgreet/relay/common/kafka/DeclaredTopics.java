package com.cloudgreet.relay.common.kafka;

import java.util.List;

/**
 * Topics a service produces to or consumes from, declared as a bean so {@link TopicProvisioner}
 * creates and checks them before anything uses them. A service may declare several.
 */
public record DeclaredTopics(List<String> names) {

	public DeclaredTopics {
		names = List.copyOf(names);
	}

	public static DeclaredTopics of(String... names) {
		return new DeclaredTopics(List.of(names));
	}

}
