/* SPDX-License-Identifier: BSD-3-Clause */
/* The audit events onboardd records, each with the MESSAGE_ID its
 * journal entries carry; catalog/onboard.catalog (installed for
 * journalctl -x) says what each means.  Pure data. */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "audit_events.h"

static const struct audit_event_kind kinds[] = {
	{ "account.create", "569d4110b40f5eb190af047209e5426b" },
	{ "account.lock", "aedf4b6f01bc50fa9ba3237bdec98547" },
	{ "account.remove", "7fe5084087ba5808b4b142021b52ae28" },
	{ "admin.denied", "aae65819257f51339912dd9b0e28c9ec" },
	{ "audit.dropped", "82a6fa8860f8530d96f21ff021f4d0af" },
	{ "audit.read", "efd346dc7cc0507095bf7a05216d1c45" },
	{ "audit.summary", "c7a50a8842485aa1b208732db3d1573b" },
	{ "bank.list", "b881d5feff2c5d219bb1f617ea8994ad" },
	{ "code.issue", "fe4107245bdc5c4b93261cfce5bef222" },
	{ "code.list", "f777e2d63bb151b9a4d89abe8f261f38" },
	{ "code.revoke", "1efe84e846b65f8e8139fc913c889f7d" },
	{ "group.add", "2346c31a97785c44b93d8bea885b1deb" },
	{ "group.assign", "e925042ae322522e9df810fc028f0920" },
	{ "group.unassign", "150db990cec45c79a1f1975fcb0bdd99" },
	{ "group.list", "90d1f944c50755a79a245a84fc43b6d1" },
	{ "invite.list", "735679bbefbf5263b1b0464b99f8054b" },
	{ "invite.revoke", "e198b810ea475d8dbba3ba9e36eacb11" },
	{ "invite.send", "8e37a54666c3530d8429afe0b90a6bee" },
	{ "kiosk.overflow_lock", "2f2a2b5b718b52d8bf15061f185d727d" },
	{ "kiosk.source_lock", "c1bc0c86acd95573bcc09449756541a6" },
	{ "login.code", "4d621690a811556ab9231b9762b48224" },
	{ "login.failed", "8befddf125055dcd8e9386142890ed0f" },
	{ "login.host", "6fe52418dc555402a71f1a123c8cde10" },
	{ "login.invite", "ef92fc635da65878afbac38c59b995fa" },
	{ "login.lockout", "d430e49ee2fd5d91a3668883721534e9" },
	{ "login.mfa_enrolled", "fc89fefe36ea5b5b880ae1e2c0eca9dd" },
	{ "login.password", "65440428d89a5d52a77c448caaeac779" },
	{ "mfa.reset", "33a342fbb2ad536d9b6779f21ed3d57b" },
	{ "pool.add", "9e5e0ef7def95ed48fc3b8b44eebd801" },
	{ "pool.assign", "677dc6e737555f62b97618c3cac8d9cc" },
	{ "pool.unassign", "e4b133b168245ea194cbc8826af93bb6" },
	{ "pool.list", "0ff803c9d48759918b03004a43161eb8" },
	{ "source.unlock", "4d6290a63b2c581fa57749cae0c67eca" },
	{ "user.add", "5867101219d2556b81f764d4503325ae" },
	{ "user.delete", "9fdfb46e094e528f967fcd47f674c6f5" },
	{ "user.import", "3cc5dce7444450d4b68ecd2e18d25fed" },
	{ "user.list", "d4e3d523cc4b537984894ff765e30b50" },
	{ "user.modify", "6e1b337e11895330a6b2dcd6e2830352" },
	{ "user.purge", "41b8c32a629257a996594cebaa4f7923" },
	{ "user.restore", "9cf6304e1b4350ec8cd94687e563f086" },
	{ "user.show", "f0cd0bc580cb500aa1d3a634d55fa37e" },
	{ "user.unlock", "4d635b27d59a57f9aef1166cae1fc8f7" },
};

/* Events not in the table (none, by test_journal.sh) still get one. */
static const struct audit_event_kind other = {
	"", "160a32dcfc4d5efbbdbb7d6179b8034b",
};

const struct audit_event_kind *audit_event_kind(const char *event)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].event, event) == 0)
			return &kinds[i];
	return &other;
}
