"""The admins' CLI sub-commands: draft, export and status."""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import date
from pathlib import Path

from bot.cli.registry import command
from bot.cli.commands import with_store
from bot.core.changes import ChangeLog
from bot.core.labels import is_flagged
from bot.core.store import Store, check_store
from bot.curation.draft import MAX_PROPOSED, candidates, draft_path, draft_source, loaded_by_store
from bot.curation.reload import read_status
from bot.curation.export import Reviewer, claim_reviews, store_json

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def default_state() -> Path:
    """Where the bot keeps its state (the change log): $STATE_DIR, else ./state."""
    return Path(os.environ.get("STATE_DIR", "state"))


def _draft_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("article", type=Path, help="the article's text file (UTF-8)")
    p.add_argument("--source-id", required=True, help="id of the new source (lower-case letters, digits, hyphens)")
    p.add_argument("--out", help="file to write (default: drafts/ID.yaml next to briefs/, which the bot "
                                 "does not load; '-' for standard output)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")


@command("draft", _draft_args)
def draft_command(args: argparse.Namespace) -> int:
    """Write a new source file skeleton with the article's candidate claims and their cues."""
    if not SLUG.match(args.source_id):
        print(f"“{args.source_id}” is not a valid id: use lower-case letters, digits and hyphens.", file=sys.stderr)
        return 2
    try:
        article = args.article.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"Cannot read {args.article}: {exc}", file=sys.stderr)
        return 2
    if args.out == "-":
        sys.stdout.write(draft_source(article, args.source_id, args.article.name))
        return 0
    out = Path(args.out) if args.out else draft_path(args.briefs, args.source_id)
    if loaded_by_store(out, Path(args.briefs)):
        print(f"Not writing a draft into {out.parent}: the bot loads that folder, and a draft's TODOs would make "
              f"every later edit fail. Write it elsewhere (the default is {draft_path(args.briefs, args.source_id)}), "
              "then move it into sources/ once `briefbot validate` passes on it.", file=sys.stderr)
        return 2
    if out.exists() and not args.force:
        print(f"{out} already exists; pass --force to overwrite it.", file=sys.stderr)
        return 1
    out.parent.mkdir(parents=True, exist_ok=True)
    # The schema comment is written for the file's final place, briefs/sources/.
    out.write_text(draft_source(article, args.source_id, args.article.name), encoding="utf-8")
    found = len(candidates(article))
    print(f"wrote {out}: the {min(found, MAX_PROPOSED)} best of {found} candidate claims to rate, best first. "
          "It is not loaded from there; "
          f"once every TODO is replaced, move it to {Path(args.briefs) / 'sources'}/.")
    return 0


def _export_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("claimreview", "json"), default="claimreview")
    p.add_argument("--out", type=Path, help="file to write (default: standard output)")
    p.add_argument("--reviewer", default=os.environ.get("BRIEFBOT_REVIEWER", "briefbot curators"),
                   help="the reviewing organisation's name ($BRIEFBOT_REVIEWER)")
    p.add_argument("--reviewer-url", default=os.environ.get("BRIEFBOT_REVIEWER_URL"))
    p.add_argument("--base-url", default=os.environ.get("PUBLIC_URL") or os.environ.get("BRIEFBOT_PUBLIC_URL"),
                   help="public address of the web pages ($PUBLIC_URL); each ClaimReview gets its claim page "
                        "BASE/claims/ID as its url")
    p.add_argument("--date", type=date.fromisoformat, help="review date (default: the day the store was loaded)")


@command("export", _export_args)
@with_store
def export_command(args: argparse.Namespace, store: Store) -> int:
    """Export ClaimReview JSON-LD of every rated claim, or the whole store as JSON."""
    if args.format == "json":
        data: object = store_json(store)
    else:
        data = claim_reviews(store, Reviewer(args.reviewer, args.reviewer_url, args.base_url), args.date)
        if not args.base_url:
            print("Each ClaimReview lacks the `url` fact-check aggregators require: pass --base-url "
                  "(or set PUBLIC_URL) to the public address of the web pages.", file=sys.stderr)
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _status_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--state", type=Path, default=None, help="state folder with changes.jsonl (default: state/)")


@command("status", _status_args)
def status_command(args: argparse.Namespace) -> int:
    """Show the store version and counts, its problems, the running bot's last reloads and last change."""
    store, problems = check_store(args.briefs)
    errors = [p for p in problems if p.severity == "error"]
    if store is None:
        print(f"The store in {args.briefs} does not load: {len(errors)} error(s); `briefbot validate` lists them.")
    else:
        flagged = sum(is_flagged(e.claim) for e in store.claims.values())
        print(f"store {store.version}: {len(store.topics)} topics, {len(store.sources)} sources, "
              f"{len(store.claims)} claims ({flagged} flagged), {len(problems)} warning(s)")
    state = args.state or default_state()
    for target, info in sorted(read_status(state).items()):
        if not isinstance(info, dict):
            continue
        if info.get("ok"):
            print(f"running bot: last {target} reload at {info.get('at')} ok, serving {info.get('version')}")
            continue
        print(f"running bot: DEGRADED: the last {target} reload at {info.get('at')} was refused with "
              f"{info.get('error_count')} error(s); still serving {info.get('version')}")
        for line in info.get("errors", [])[:5]:
            print(f"  {line}")
    last = ChangeLog(state / "changes.jsonl").last()
    if last is None:
        print("change log: no reload has changed the store yet")
    else:
        print(f"last change: {last.at.isoformat(timespec='seconds')} to {last.version}: {last.changes.summary()}")
    return 0 if store is not None else 1
