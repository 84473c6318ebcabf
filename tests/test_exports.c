/* SPDX-License-Identifier: BSD-3-Clause */
/* The built pam_onboard.so exports the PAM entry points and nothing else:
 * the export list keeps the module's internals and the common code linked
 * into it out of the application's symbol namespace.  And it imports no
 * way to read the environment: the module runs inside set-uid programs
 * (su, passwd) whose environment is the caller's, so nothing it does may
 * depend on a variable. */
#include "config.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

static int module_open(void **state)
{
	const char *path = getenv("PAM_ONBOARD_SO");
	void *h;

	if (!path || !path[0]) {
		fprintf(stderr, "PAM_ONBOARD_SO is not set: run this test through make check\n");
		return -1;
	}
	/* RTLD_LOCAL: the module's symbols must not be found through the
	 * global namespace, only through its handle, as libpam loads it. */
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
		return -1;
	}
	*state = h;
	return 0;
}

static int module_close(void **state)
{
	if (*state)
		dlclose(*state);
	return 0;
}

static void pam_entry_points_are_exported(void **state)
{
	static const char *const wanted[] = {
		"pam_sm_authenticate",
		"pam_sm_setcred",
		"pam_sm_acct_mgmt",
		"pam_sm_chauthtok",
	};

	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		dlerror();
		if (!dlsym(*state, wanted[i]))
			fail_msg("%s is not exported: %s", wanted[i], dlerror());
	}
}

static void internal_symbols_are_hidden(void **state)
{
	static const char *const hidden[] = {
		/* the module's own code */
		"options_parse", "options_defaults", "relay_dialogue", "relay_verdict_to_pam",
		"relay_pam_code",
		/* the common code linked into it */
		"client_connect", "client_call", "client_close", "varlink_parse",
		"varlink_encode", "varlink_wipe", "varlink_get_string", "logindefs_uid_min",
		"code_normalise", "passwd_by_name", "passwd_kind",
		/* onboard has no session group: nothing may stand in for one */
		"pam_sm_open_session", "pam_sm_close_session",
	};

	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
		if (dlsym(*state, hidden[i]))
			fail_msg("%s is exported by the module; the export list should hide it",
				 hidden[i]);
}

/* Whether the module's dynamic symbol table holds an undefined symbol
 * (one it takes from another object) named name.  The table is read from
 * the file itself, as "nm -D --undefined-only" would: dlsym() answers
 * only for what an object defines. */
static bool module_imports(const unsigned char *img, size_t size, const char *name)
{
	const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)img;
	const ElfW(Shdr) *sh;

	assert_true(size >= sizeof(*eh));
	assert_memory_equal(eh->e_ident, ELFMAG, SELFMAG);
	/* The test is built for the same machine as the module. */
	assert_int_equal(eh->e_ident[EI_CLASS], sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32);
	assert_true(eh->e_shoff > 0 && eh->e_shentsize == sizeof(*sh));
	assert_true(eh->e_shoff + (size_t)eh->e_shnum * sizeof(*sh) <= size);
	sh = (const ElfW(Shdr) *)(img + eh->e_shoff);
	for (size_t i = 0; i < eh->e_shnum; i++) {
		const ElfW(Shdr) *strtab;
		const ElfW(Sym) *sym;
		size_t n;

		if (sh[i].sh_type != SHT_DYNSYM)
			continue;
		assert_true(sh[i].sh_link < eh->e_shnum);
		assert_int_equal(sh[i].sh_entsize, sizeof(*sym));
		assert_true(sh[i].sh_offset + sh[i].sh_size <= size);
		strtab = &sh[sh[i].sh_link];
		assert_true(strtab->sh_offset + strtab->sh_size <= size);
		sym = (const ElfW(Sym) *)(img + sh[i].sh_offset);
		n = sh[i].sh_size / sizeof(*sym);
		for (size_t k = 1; k < n; k++) {
			const char *s = (const char *)img + strtab->sh_offset + sym[k].st_name;

			assert_true(sym[k].st_name < strtab->sh_size);
			if (sym[k].st_shndx == SHN_UNDEF &&
			    strnlen(s, strtab->sh_size - sym[k].st_name) <
				    strtab->sh_size - sym[k].st_name &&
			    strcmp(s, name) == 0)
				return true;
		}
		return false;
	}
	fail_msg("the module has no dynamic symbol table");
	return false;
}

static void no_environment_is_read(void **state)
{
	/* libc's ways in to the process environment, and libpam's to the
	 * PAM environment, which pam_env fills from files people write. */
	static const char *const readers[] = {
		"getenv", "secure_getenv", "__secure_getenv", "__libc_secure_getenv",
		"environ", "__environ", "_environ", "pam_getenv", "pam_getenvlist",
	};
	/* Proof that the reading works: symbols the module does take. */
	static const char *const used[] = { "pam_get_item", "socket" };
	const char *path = getenv("PAM_ONBOARD_SO");
	struct stat st;
	void *img;
	int fd;

	(void)state;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail_msg("open %s: %s", path, strerror(errno));
	assert_int_equal(fstat(fd, &st), 0);
	img = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	assert_true(img != MAP_FAILED);
	for (size_t i = 0; i < sizeof(used) / sizeof(used[0]); i++)
		if (!module_imports(img, (size_t)st.st_size, used[i]))
			fail_msg("%s is not among the module's imports: the table was misread",
				 used[i]);
	for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++)
		if (module_imports(img, (size_t)st.st_size, readers[i]))
			fail_msg("the module imports %s: it must not read the environment",
				 readers[i]);
	munmap(img, (size_t)st.st_size);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pam_entry_points_are_exported),
		cmocka_unit_test(internal_symbols_are_hidden),
		cmocka_unit_test(no_environment_is_read),
	};

	return cmocka_run_group_tests(tests, module_open, module_close);
}
