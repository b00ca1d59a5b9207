# shellcheck shell=bash
# The bench, the database account and the Frappe command line that scripts/run-tests and scripts/demo
# share. Sourced, not run. Every failure here ends with a message that says what is wrong and what to do.
#
# SUPPORT_CENTER_BENCH            the bench folder (default /home/frappe/frappe-bench); built when missing
# SUPPORT_CENTER_BENCH_USER       who owns a bench built by root (default frappe; created when missing):
#                                 bench refuses to run as root
# SUPPORT_CENTER_FRAPPE_SOURCE    Frappe's source: a git URL, a local git repository or a .tar.gz of the
#                                 app's source tree (default: the upstream repository, branch version-15)
# SUPPORT_CENTER_ERPNEXT_SOURCE   the same for ERPNext
# SUPPORT_CENTER_DB_HOST          MariaDB host (default 127.0.0.1)
# SUPPORT_CENTER_DB_ROOT_USER     a MariaDB user that may create databases and users; when unset, one is
# SUPPORT_CENTER_DB_ROOT_PASSWORD made through MariaDB's root account (empty password)

sc_bench=${SUPPORT_CENTER_BENCH:-/home/frappe/frappe-bench}
sc_db_host=${SUPPORT_CENTER_DB_HOST:-127.0.0.1}
sc_branch=version-15

sc_die() {
	printf '%s: %s\n' "$(basename "$0")" "$*" >&2
	exit 2
}

sc_say() {
	printf '%s: %s\n' "$(basename "$0")" "$*"
}

# Runs a command and shows its output only when it fails: a bench build prints thousands of lines.
sc_quietly() {
	local out
	out=$(mktemp)
	if ! "$@" >"$out" 2>&1; then
		tail -n 60 "$out" >&2
		rm -f "$out"
		printf '%s: failed: %s\n' "$(basename "$0")" "$*" >&2
		return 1
	fi
	rm -f "$out"
}

# What is missing from a bench at $1, one item a line; nothing when it is a complete Frappe 15 + ERPNext 15
# bench.
sc_bench_problems() {
	local bench=$1
	[[ -x "$bench/env/bin/python" ]] || echo "no virtualenv (env/bin/python)"
	[[ -d "$bench/apps/frappe" ]] || echo "no apps/frappe"
	[[ -d "$bench/apps/erpnext" ]] || echo "no apps/erpnext"
	[[ -f "$bench/sites/apps.txt" ]] || echo "no sites/apps.txt"
	[[ -f "$bench/sites/common_site_config.json" ]] || echo "no sites/common_site_config.json"
	if [[ -x "$bench/env/bin/python" ]]; then
		local versions
		if ! versions=$("$bench/env/bin/python" -c 'import frappe, erpnext; print(frappe.__version__, erpnext.__version__)' 2>/dev/null); then
			echo "its virtualenv cannot import frappe and erpnext (an interrupted build?)"
		else
			local frappe_version=${versions% *} erpnext_version=${versions#* }
			[[ $frappe_version == 15.* ]] || echo "Frappe $frappe_version, not 15"
			[[ $erpnext_version == 15.* ]] || echo "ERPNext $erpnext_version, not 15"
		fi
	fi
	if [[ -f "$bench/sites/apps.txt" ]] && ! grep -qx erpnext "$bench/sites/apps.txt"; then
		echo "erpnext is not in sites/apps.txt"
	fi
}

# The user who owns the bench and runs the bench command.
sc_bench_user() {
	if [[ "$(id -u)" -eq 0 ]]; then
		echo "${SUPPORT_CENTER_BENCH_USER:-frappe}"
	else
		id -un
	fi
}

# Runs a command as the bench user, in folder $1, with the bench CLI and yarn 1 first on the PATH.
sc_as_bench_user() {
	local dir=$1
	shift
	local user tools
	user=$(sc_bench_user)
	tools=$(sc_tools_dir)
	local path="$tools/bench-cli/bin:$tools/yarn/node_modules/.bin:/usr/local/bin:/usr/bin:/bin"
	if [[ "$(id -u)" -eq 0 ]]; then
		# The environment stays (it may carry the machine's CA bundle and package-index settings); only
		# who and where change.
		(cd "$dir" && runuser -u "$user" -- env HOME="$(sc_home "$user")" USER="$user" LOGNAME="$user" \
			LANG=C.UTF-8 PATH="$path" PIP_DISABLE_PIP_VERSION_CHECK=1 "$@")
	else
		(cd "$dir" && PATH="$path:$PATH" "$@")
	fi
}

sc_home() {
	getent passwd "$1" | cut -d: -f6
}

# Tools the build needs (the bench CLI, yarn 1, unpacked sources) live in the bench user's home, outside
# the bench and outside this checkout.
sc_tools_dir() {
	echo "$(sc_home "$(sc_bench_user)")/.cache/support-center"
}

# A Python 3.11 that the bench user can run.
sc_python() {
	local candidate exe
	for candidate in python3.11 python3; do
		if command -v "$candidate" >/dev/null 2>&1; then
			exe=$("$candidate" -c 'import sys; print(sys.executable if sys.version_info[:2] == (3, 11) else "")' 2>/dev/null)
			# pyenv's shim reports the real interpreter; the bench user has no shims.
			if [[ -n "$exe" ]]; then
				readlink -f "$exe"
				return
			fi
		fi
	done
	sc_die "Frappe 15 needs Python 3.11 and none was found (python3.11 or python3). Install it (Debian: apt-get install python3.11-venv python3.11-dev) and try again."
}

# The machine's Python may live under a folder the bench user cannot enter (/root/.pyenv, with /root
# mode 700). As root, open each parent folder for traversal only (o+x: no listing, no reading).
sc_make_python_reachable() {
	local python=$1 user dir
	user=$(sc_bench_user)
	if sc_as_bench_user / "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
		return
	fi
	if [[ "$(id -u)" -ne 0 ]]; then
		sc_die "$user cannot run $python. Install a Python 3.11 that $user can run, or run this as root."
	fi
	# From the top down: a folder inside one the user cannot enter looks closed too.
	dir=""
	local part
	IFS=/ read -ra parts <<<"$(dirname "$python")"
	for part in "${parts[@]}"; do
		[[ -n "$part" ]] || continue
		dir="$dir/$part"
		if ! runuser -u "$user" -- test -x "$dir"; then
			sc_say "letting $user traverse $dir (chmod o+x) to reach $python"
			chmod o+x "$dir"
		fi
	done
	sc_as_bench_user / "$python" -c 'import venv, ensurepip' >/dev/null 2>&1 ||
		sc_die "$user still cannot run $python with its venv module; install python3.11-venv or point PATH at another Python 3.11."
}

sc_ensure_bench_user() {
	local user
	user=$(sc_bench_user)
	if [[ "$(id -u)" -eq 0 ]] && ! id "$user" >/dev/null 2>&1; then
		sc_say "creating the system user $user, who owns the bench (bench refuses to run as root)"
		useradd --create-home --shell /bin/bash "$user"
	fi
	[[ -d "$(sc_home "$user")" ]] || sc_die "the bench user $user has no home folder."
}

# The bench CLI in a virtualenv of its own, and yarn 1 (the registry's current yarn is 2.x, which Frappe
# 15's asset build cannot use).
sc_ensure_build_tools() {
	local python=$1 tools
	tools=$(sc_tools_dir)
	sc_as_bench_user / mkdir -p "$tools"
	if ! sc_as_bench_user / "$tools/bench-cli/bin/bench" --version >/dev/null 2>&1; then
		sc_say "installing the bench CLI (frappe-bench) into $tools/bench-cli"
		sc_quietly sc_as_bench_user / "$python" -m venv "$tools/bench-cli"
		sc_quietly sc_as_bench_user / "$tools/bench-cli/bin/pip" install -q 'frappe-bench>=5.22,<6' 'setuptools<81'
	fi
	command -v node >/dev/null 2>&1 || sc_die "Frappe's asset build needs Node.js 18 or newer (Debian: apt-get install nodejs npm)."
	command -v npm >/dev/null 2>&1 || sc_die "installing yarn 1 needs npm (Debian: apt-get install npm)."
	if [[ "$(sc_as_bench_user / yarn --version 2>/dev/null)" != 1.* ]]; then
		sc_say "installing yarn 1.22.22 into $tools/yarn (Frappe 15 needs yarn 1)"
		sc_quietly sc_as_bench_user / npm install --no-audit --no-fund --prefix "$tools/yarn" yarn@1.22.22
	fi
	command -v git >/dev/null 2>&1 || sc_die "bench needs git (Debian: apt-get install git)."
}

# Echoes what bench can clone for app $1 given source $2 (default $3): a git URL as it is, a local git
# repository as it is, or a .tar.gz unpacked once into a git repository on branch version-15.
sc_resolve_source() {
	local app=$1 spec=${2:-$3} tools checksum target
	tools=$(sc_tools_dir)
	if [[ "$spec" == *.tar.gz || "$spec" == *.tgz ]]; then
		[[ -f "$spec" ]] || sc_die "the $app source $spec does not exist."
		spec=$(readlink -f "$spec")
		checksum=$(sha256sum "$spec" | cut -c1-16)
		target="$tools/sources/$app-$checksum"
		if [[ ! -d "$target/$app/.git" ]]; then
			rm -rf "$target"
			sc_as_bench_user / mkdir -p "$target"
			if ! sc_as_bench_user / tar -xzf "$spec" -C "$target" 2>/dev/null; then
				rm -rf "$target"
				sc_die "cannot unpack $spec (is it a .tar.gz of the $app app?). Check the file, or name another source."
			fi
			[[ -d "$target/$app" ]] || sc_die "$spec has no top folder $app/: it is not a source archive of the $app app."
			sc_quietly sc_as_bench_user "$target/$app" sh -c \
				"git init -q -b $sc_branch && git add -A && git -c user.name=support-center -c user.email=build@localhost commit -qm 'source archive $(basename "$spec")'"
		fi
		echo "$target/$app"
	elif [[ -d "$spec" ]]; then
		spec=$(readlink -f "$spec")
		git -C "$spec" rev-parse --git-dir >/dev/null 2>&1 ||
			sc_die "the $app source $spec is a folder but not a git repository; name a git repository or a .tar.gz."
		git -C "$spec" rev-parse --verify -q "refs/heads/$sc_branch" >/dev/null ||
			sc_die "the $app repository $spec has no branch $sc_branch."
		echo "$spec"
	else
		echo "$spec"
	fi
}

# Makes the bench at $sc_bench when there is none; refuses a half-built or foreign one.
sc_ensure_bench() {
	local problems
	if [[ -e "$sc_bench" ]]; then
		problems=$(sc_bench_problems "$sc_bench")
		if [[ -n "$problems" ]]; then
			printf '%s: %s is not a usable Frappe 15 + ERPNext 15 bench:\n' "$(basename "$0")" "$sc_bench" >&2
			printf '  - %s\n' "${problems//$'\n'/$'\n'  - }" >&2
			printf 'Remove it (rm -rf %s) to have it built again, or point SUPPORT_CENTER_BENCH at another folder.\n' "$sc_bench" >&2
			exit 2
		fi
		sc_ensure_pkg_resources
		return
	fi
	sc_build_bench
}

# Frappe 15 imports pkg_resources (Dropbox Settings, during new-site), which a bench's virtualenv lacks
# when it has no setuptools, or one of 81 and later, where pkg_resources is gone.
sc_ensure_pkg_resources() {
	if ! "$sc_bench/env/bin/python" -c 'import pkg_resources' >/dev/null 2>&1; then
		sc_say "installing setuptools<81 into the bench's virtualenv (Frappe 15 imports pkg_resources)"
		sc_quietly "$sc_bench/env/bin/pip" install -q 'setuptools<81'
	fi
}

sc_build_bench() {
	local started python user frappe_source erpnext_source parent
	started=$(date +%s)
	user=$(sc_bench_user)
	sc_say "no bench at $sc_bench: building one (Frappe 15 + ERPNext 15) as $user"
	sc_ensure_bench_user
	python=$(sc_python)
	sc_make_python_reachable "$python"
	sc_ensure_build_tools "$python"
	frappe_source=$(sc_resolve_source frappe "${SUPPORT_CENTER_FRAPPE_SOURCE:-}" https://github.com/frappe/frappe)
	erpnext_source=$(sc_resolve_source erpnext "${SUPPORT_CENTER_ERPNEXT_SOURCE:-}" https://github.com/frappe/erpnext)

	parent=$(dirname "$sc_bench")
	if [[ ! -d "$parent" ]]; then
		mkdir -p "$parent"
		[[ "$(id -u)" -eq 0 ]] && chown "$user:" "$parent"
	fi
	sc_as_bench_user / test -w "$parent" ||
		sc_die "$user cannot write to $parent, where the bench $sc_bench would go; choose another SUPPORT_CENTER_BENCH."

	sc_say "bench init from $frappe_source (a few minutes: Python packages, node modules, assets)"
	# No crontab here (--no-backups); the machine's Redis serves the bench (set below).
	if ! sc_quietly sc_as_bench_user "$parent" bench init --frappe-path "$frappe_source" \
		--frappe-branch "$sc_branch" --python "$python" --no-backups --skip-redis-config-generation \
		--no-procfile "$sc_bench"; then
		sc_die "bench init failed (its last lines are above); the half-built $sc_bench was left for a look: remove it before trying again."
	fi
	sc_ensure_pkg_resources
	sc_say "bench get-app erpnext from $erpnext_source"
	if ! sc_quietly sc_as_bench_user "$sc_bench" bench get-app --branch "$sc_branch" "$erpnext_source"; then
		sc_die "bench get-app erpnext failed (its last lines are above); remove $sc_bench before trying again."
	fi
	sc_use_machine_redis
	local problems
	problems=$(sc_bench_problems "$sc_bench")
	[[ -z "$problems" ]] || sc_die "the new bench at $sc_bench is incomplete: $problems"
	sc_say "bench built in $(($(date +%s) - started)) s"
}

# Frappe's default Redis ports are for a bench's own servers; this machine runs one Redis on 6379. Use
# it when something listens there, else start Debian's redis-server on that port.
sc_use_machine_redis() {
	local url=${SUPPORT_CENTER_REDIS_URL:-redis://127.0.0.1:6379}
	sc_as_bench_user "$sc_bench" env/bin/python - "$url" <<'PY'
import json, sys
url = sys.argv[1]
path = "sites/common_site_config.json"
with open(path) as f:
	config = json.load(f)
config.update(redis_cache=url, redis_queue=url, redis_socketio=url)
config.setdefault("socketio_port", 9000)
config.setdefault("webserver_port", 8000)
with open(path, "w") as f:
	json.dump(config, f, indent=1, sort_keys=True)
PY
}

sc_ensure_redis() {
	if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
		return
	fi
	command -v redis-server >/dev/null 2>&1 || sc_die "nothing answers on Redis's 127.0.0.1:6379 and redis-server is not installed (Debian: apt-get install redis-server)."
	sc_say "starting redis-server on 127.0.0.1:6379"
	redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
	sleep 1
	redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || sc_die "redis-server did not start on 127.0.0.1:6379."
}

# Sets sc_db_user and sc_db_password to a MariaDB account that may create sites. Frappe asks for the root
# password at a terminal when it is empty, so a password-protected admin account is made through root.
# Frappe also refuses a server whose collation is not utf8mb4_unicode_ci.
sc_ensure_database() {
	sc_db_user=${SUPPORT_CENTER_DB_ROOT_USER:-}
	sc_db_password=${SUPPORT_CENTER_DB_ROOT_PASSWORD:-}
	local client
	client=$(command -v mariadb || command -v mysql) || sc_die "no MariaDB client (mariadb) on the PATH (Debian: apt-get install mariadb-client)."
	if [[ -z "$sc_db_user" ]]; then
		sc_db_user=support_center_admin
		sc_db_password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
		"$client" -h "$sc_db_host" -uroot 2>/dev/null <<SQL || sc_die "cannot log in to MariaDB at $sc_db_host as root without a password; set SUPPORT_CENTER_DB_ROOT_USER and SUPPORT_CENTER_DB_ROOT_PASSWORD to an account that may create databases."
CREATE USER IF NOT EXISTS '$sc_db_user'@'%' IDENTIFIED BY '$sc_db_password';
ALTER USER '$sc_db_user'@'%' IDENTIFIED BY '$sc_db_password';
GRANT ALL PRIVILEGES ON *.* TO '$sc_db_user'@'%' WITH GRANT OPTION;
SQL
	fi
	local settings
	settings=$("$client" -h "$sc_db_host" -u"$sc_db_user" -p"$sc_db_password" -N -e 'SELECT @@character_set_server, @@collation_server' 2>/dev/null) ||
		sc_die "cannot log in to MariaDB at $sc_db_host as $sc_db_user."
	if [[ "$settings" != $'utf8mb4\tutf8mb4_unicode_ci' ]]; then
		sc_say "setting MariaDB's server character set to utf8mb4 / utf8mb4_unicode_ci (was ${settings//$'\t'/ / }), as Frappe requires"
		"$client" -h "$sc_db_host" -u"$sc_db_user" -p"$sc_db_password" -e \
			"SET GLOBAL character_set_server = 'utf8mb4'; SET GLOBAL collation_server = 'utf8mb4_unicode_ci';" ||
			sc_die "cannot set MariaDB's collation; set character-set-server=utf8mb4 and collation-server=utf8mb4_unicode_ci in its configuration."
		# Keep it over a server restart when this machine's configuration can be written.
		if [[ -d /etc/mysql/mariadb.conf.d && -w /etc/mysql/mariadb.conf.d ]]; then
			printf '[mysqld]\ncharacter-set-server = utf8mb4\ncollation-server = utf8mb4_unicode_ci\n\n[mysql]\ndefault-character-set = utf8mb4\n' \
				>/etc/mysql/mariadb.conf.d/90-frappe.cnf
		fi
	fi
}

# Frappe's own command line, run from sites/ with the bench's Python, as whoever runs this script (the
# bench CLI, which refuses root, is only needed to build the bench).
sc_frappe() {
	(cd "$sc_bench/sites" && "$sc_bench/env/bin/python" -m frappe.utils.bench_helper frappe "$@")
}

# The bench's apps/support_center is this checkout: a link, never a copy, so what runs is what is tested.
sc_link_app() {
	local checkout=$1 app_link="$sc_bench/apps/support_center"
	if [[ -e "$app_link" && ! -L "$app_link" ]]; then
		sc_die "$app_link is a folder, not a link to this checkout; move it away first."
	fi
	ln -sfn "$checkout" "$app_link"
	# -P: the current folder (perhaps this checkout) must not make the app look installed.
	local installed_from
	installed_from=$("$sc_bench/env/bin/python" -P -c \
		'import os, support_center; print(os.path.dirname(os.path.dirname(os.path.realpath(support_center.__file__))))' 2>/dev/null || true)
	if [[ "$installed_from" != "$(readlink -f "$checkout")" ]]; then
		sc_quietly "$sc_bench/env/bin/pip" install -q -e "$app_link"
	fi
	grep -qx support_center "$sc_bench/sites/apps.txt" || printf '\nsupport_center\n' >>"$sc_bench/sites/apps.txt"
	sed -i '/^$/d' "$sc_bench/sites/apps.txt"
	# The app's plain JS and CSS are served from /assets/support_center; `bench build` would make this link,
	# but the app ships no bundle to build.
	mkdir -p "$sc_bench/sites/assets"
	ln -sfn "$sc_bench/apps/support_center/support_center/public" "$sc_bench/sites/assets/support_center"
}
