package com.cloudgreet.relay.common.message;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

/** RFC 5322 mailbox validation, delegated to Jakarta Mail's strict parser. */
final class EmailAddresses {

	private EmailAddresses() {
	}

	/** Checks one mailbox ({@code a@b.example} or {@code Name <a@b.example>}); groups and lists are refused. */
	static void check(Violations violations, String pointer, String address) {
		if (!violations.required(pointer, address)) {
			return;
		}
		violations.singleLine(pointer, address);
		if (address.length() > Limits.EMAIL_ADDRESS_LENGTH + 128) {
			violations.add(pointer, "is too long");
			return;
		}
		try {
			InternetAddress[] parsed = InternetAddress.parse(address, true);
			if (parsed.length != 1 || parsed[0].isGroup()) {
				violations.add(pointer, "must be exactly one mailbox");
				return;
			}
			InternetAddress mailbox = parsed[0];
			mailbox.validate();
			String bare = mailbox.getAddress();
			if (bare.length() > Limits.EMAIL_ADDRESS_LENGTH || bare.indexOf('@') < 1
					|| bare.substring(bare.indexOf('@') + 1).indexOf('.') < 1) {
				violations.add(pointer, "is not a deliverable address");
			}
		}
		catch (AddressException ex) {
			violations.add(pointer, "is not a valid RFC 5322 address (" + ex.getMessage() + ")");
		}
	}

}
