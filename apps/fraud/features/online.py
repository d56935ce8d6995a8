"""The online feature store in Redis: per-user sorted sets and one hash, rebuilt from PostgreSQL when missing.

Keys of one user (all under ``REDIS_KEY_PREFIX``, expiring together ``ONLINE_KEY_TTL_SECONDS`` after the
last write):

- ``fraud:tx:<user>``    sorted set, score = event time in µs, member = ``PastTransaction.member()``
- ``fraud:login:<user>`` sorted set, member = session id (earliest time kept)
- ``fraud:join:<user>``  sorted set, member = circle id (earliest time kept)
- ``fraud:u:<user>``     hash: ``built`` (set only by a rebuild), ``floor`` (entries at or after it are
  complete), ``first`` / ``d:<device>`` / ``c:<country>`` = earliest ``"<µs>|<transaction id>"``

Each sorted set also holds a sentinel member ``~`` at score 0: a key that lost its sentinel (flushed or
evicted) is noticed and the user is rebuilt from PostgreSQL, so Redis is only ever a cache.
Writes are single Lua calls (idempotent: the same transaction is the same member); a read is one
pipeline. A read for a time older than the kept window falls back to PostgreSQL (``history_at``).
"""

from __future__ import annotations

from typing import Any

from apps.fraud.constants import (
    CIRCLE_JOIN_WINDOW_US,
    FEATURE_WINDOW_US,
    LOGIN_WINDOW_US,
    ONLINE_KEY_TTL_SECONDS,
    ONLINE_RETENTION_US,
)
from apps.fraud.features.facts import History, PastTransaction, TransactionFacts
from apps.fraud.features.history import history_at, rebuild_data
from lakay.redis import get_redis, redis_key

SENTINEL = "~"

# KEYS: hash, tx, login, join. ARGV: ts_us, ttl, retention_us, kind (tx|login|join), member,
# [transaction id, device, country] for kind=tx.
_RECORD = """
local ts = tonumber(ARGV[1])
local kind = ARGV[4]
local function older(current, stamp_ts, stamp_id)
  if not current then return true end
  local sep = string.find(current, '|', 1, true)
  local cts = tonumber(string.sub(current, 1, sep - 1))
  local cid = string.sub(current, sep + 1)
  return stamp_ts < cts or (stamp_ts == cts and stamp_id < cid)
end
local function setmin(field, stamp_id)
  if older(redis.call('HGET', KEYS[1], field), ts, stamp_id) then
    redis.call('HSET', KEYS[1], field, ARGV[1] .. '|' .. stamp_id)
  end
end
if kind == 'tx' then
  redis.call('ZADD', KEYS[2], ts, ARGV[5])
  setmin('first', ARGV[6])
  if ARGV[7] ~= '' then setmin('d:' .. ARGV[7], ARGV[6]) end
  if ARGV[8] ~= '' then setmin('c:' .. ARGV[8], ARGV[6]) end
elseif kind == 'login' then
  redis.call('ZADD', KEYS[3], 'LT', ts, ARGV[5])
else
  redis.call('ZADD', KEYS[4], 'LT', ts, ARGV[5])
end
local floor = tonumber(redis.call('HGET', KEYS[1], 'floor') or '0')
local newfloor = ts - tonumber(ARGV[3])
if newfloor > floor then
  local bound = string.format('%.0f', newfloor)
  for i = 2, 4 do redis.call('ZREMRANGEBYSCORE', KEYS[i], '(0', '(' .. bound) end
  redis.call('HSET', KEYS[1], 'floor', bound)
end
for i = 1, 4 do redis.call('EXPIRE', KEYS[i], ARGV[2]) end
return 1
"""

# KEYS: hash, tx, login, join. ARGV: floor, ttl, n_tx, n_login, n_join, n_first, then n_tx (ts, member),
# n_login (ts, session), n_join (ts, circle), n_first (field, ts, id).
_REBUILD = """
local n_tx, n_login, n_join, n_first = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local i = 7
for _ = 1, n_tx do redis.call('ZADD', KEYS[2], ARGV[i], ARGV[i + 1]); i = i + 2 end
for _ = 1, n_login do redis.call('ZADD', KEYS[3], 'LT', ARGV[i], ARGV[i + 1]); i = i + 2 end
for _ = 1, n_join do redis.call('ZADD', KEYS[4], 'LT', ARGV[i], ARGV[i + 1]); i = i + 2 end
for _ = 1, n_first do
  local field, ts, id = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  local current = redis.call('HGET', KEYS[1], field)
  local replace = true
  if current then
    local sep = string.find(current, '|', 1, true)
    local cts = tonumber(string.sub(current, 1, sep - 1))
    local cid = string.sub(current, sep + 1)
    replace = ts < cts or (ts == cts and id < cid)
  end
  if replace then redis.call('HSET', KEYS[1], field, ARGV[i + 1] .. '|' .. id) end
  i = i + 3
end
for k = 2, 4 do redis.call('ZADD', KEYS[k], 0, '~') end
redis.call('HSET', KEYS[1], 'built', '1', 'floor', ARGV[1])
for k = 1, 4 do redis.call('EXPIRE', KEYS[k], ARGV[2]) end
return 1
"""


def user_keys(user_id: str) -> list[str]:
    return [
        redis_key("fraud", "u", user_id),
        redis_key("fraud", "tx", user_id),
        redis_key("fraud", "login", user_id),
        redis_key("fraud", "join", user_id),
    ]


_scripts: dict[str, Any] = {}


def _script(name: str, source: str) -> Any:
    client = get_redis()
    cached = _scripts.get(name)
    if cached is None or cached.registered_client is not client:
        cached = client.register_script(source)
        _scripts[name] = cached
    return cached


def record_transaction(facts: TransactionFacts) -> None:
    past = PastTransaction.from_facts(facts)
    _script("record", _RECORD)(
        keys=user_keys(facts.user_id),
        args=[
            past.ts_us,
            ONLINE_KEY_TTL_SECONDS,
            ONLINE_RETENTION_US,
            "tx",
            past.member(),
            past.transaction_id,
            past.device_id or "",
            past.country or "",
        ],
    )


def record_login(*, user_id: str, session_id: str, ts_us: int) -> None:
    _script("record", _RECORD)(
        keys=user_keys(user_id), args=[ts_us, ONLINE_KEY_TTL_SECONDS, ONLINE_RETENTION_US, "login", session_id]
    )


def record_circle_join(*, user_id: str, circle_id: str, ts_us: int) -> None:
    _script("record", _RECORD)(
        keys=user_keys(user_id), args=[ts_us, ONLINE_KEY_TTL_SECONDS, ONLINE_RETENTION_US, "join", circle_id]
    )


def rebuild_user(user_id: str, *, at_us: int) -> None:
    """Merge the user's PostgreSQL history into Redis and mark it complete (safe under concurrent writes)."""
    data = rebuild_data(user_id, at_us=at_us, retention_us=ONLINE_RETENTION_US)
    args: list[Any] = [
        data.floor_us,
        ONLINE_KEY_TTL_SECONDS,
        len(data.transactions),
        len(data.logins),
        len(data.joins),
        len(data.first_seen),
    ]
    for past in data.transactions:
        args += [past.ts_us, past.member()]
    for session, ts in data.logins:
        args += [ts, session]
    for circle, ts in data.joins:
        args += [ts, circle]
    for field, (ts, transaction_id) in data.first_seen.items():
        args += [field, ts, transaction_id]
    _script("rebuild", _REBUILD)(keys=user_keys(user_id), args=args)


def forget_user(user_id: str) -> None:
    get_redis().delete(*user_keys(user_id))


def _read(facts: TransactionFacts) -> History | None:
    """One pipeline; ``None`` when the user's keys are incomplete or too short for this time."""
    hash_key, tx_key, login_key, join_key = user_keys(facts.user_id)
    now = facts.ts_us
    pipe = get_redis().pipeline(transaction=False)
    pipe.hgetall(hash_key)
    pipe.zscore(tx_key, SENTINEL)
    pipe.zscore(login_key, SENTINEL)
    pipe.zscore(join_key, SENTINEL)
    pipe.zrangebyscore(tx_key, now - FEATURE_WINDOW_US, now, withscores=True)
    pipe.zcount(login_key, now - LOGIN_WINDOW_US, now)
    pipe.zcount(join_key, now - CIRCLE_JOIN_WINDOW_US, now)
    fields, *sentinels, members, logins, joins = pipe.execute()
    info = {key.decode(): value.decode() for key, value in fields.items()}
    if info.get("built") != "1" or any(sentinel is None for sentinel in sentinels):
        return None
    if now - FEATURE_WINDOW_US < int(info.get("floor", "0")):
        return None
    key = facts.order_key
    prior = sorted(
        (
            past
            for past in (PastTransaction.from_member(member.decode(), int(score)) for member, score in members)
            if past.order_key < key
        ),
        key=lambda past: past.order_key,
    )
    device_seen = bool(facts.device_id) and _stamp_before(info.get(f"d:{facts.device_id}"), key)
    countries = frozenset(
        field[2:] for field, stamp in info.items() if field.startswith("c:") and _stamp_before(stamp, key)
    )
    first = info.get("first")
    first_us = int(first.split("|", 1)[0]) if first and _stamp_before(first, key) else None
    return History(
        prior=tuple(prior),
        device_seen_before=device_seen,
        countries_seen_before=countries,
        first_transaction_us=first_us,
        logins_10m=int(logins),
        circle_joins_24h=int(joins),
        source="online",
    )


def _stamp_before(stamp: str | None, key: tuple[int, str]) -> bool:
    if not stamp:
        return False
    ts, transaction_id = stamp.split("|", 1)
    return (int(ts), transaction_id) < key


def online_history(facts: TransactionFacts) -> History:
    """History for scoring: Redis (rebuilt from PostgreSQL if missing), PostgreSQL for old event times."""
    history = _read(facts)
    if history is not None:
        return history
    rebuild_user(facts.user_id, at_us=facts.ts_us)
    history = _read(facts)
    if history is not None:
        return history
    return history_at(facts)  # an event older than the online window (replay, backfill)
