# warden — the two commands of the README, and what they need.
#
#   make demo   the whole story on an embedded PostgreSQL
#   make test   build and run every test (unit, git, and integration against real PostgreSQL 15)
#   make test-fast  only the tests that need no PostgreSQL and start no process (seconds, after a build)
#
# Both install what is missing on a Debian machine first (`make deps`, needs root or sudo).

SWIFT ?= swift
APT_PACKAGES := pkg-config git libpq-dev libgit2-dev postgresql-15 openssh-server
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build test test-fast demo clean

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@# Debian's postgresql package starts a cluster of its own; warden's tests start their own instead.
	@command -v $(SWIFT) >/dev/null || { echo "the Swift toolchain (swift 6.1 or later) is not on PATH"; exit 1; }

build: deps
	$(SWIFT) build

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test

# The pure stages and the controller's state machine: no cluster, no git or warden subprocess.
FAST_TESTS := WardenModelTests|PostgresSyntaxTests|DesiredStateTests|DriftTests|PlannerTests|SchedulerTests|ControllerTests|StatusServerTests

test-fast:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --filter '^($(FAST_TESTS))\.'

demo: deps
	$(SWIFT) build --product warden
	$(SWIFT) run --skip-build warden demo

clean:
	rm -rf .build
