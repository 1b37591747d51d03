"""Chinese search through an index of character pairs (bigrams), on both databases.

Most Chinese search words are two characters (禁烧, 防汛), too short for a trigram index.
As Elasticsearch's `cjk_bigram` and PostgreSQL's pg_bigm do, each searchable row keeps its
words: the overlapping pairs of every run of CJK characters (禁烧工作 → 禁烧 烧工 工作; a lone
character kept as it is), and every Latin word or run of digits whole, lower-cased (QH-CG12
→ qh cg12). PostgreSQL keeps them as a `tsvector` with a GIN index; SQLite in an FTS5 table
fed by triggers from the row's `search_words` column. The column is written by the model
(`before_insert` / `before_update`), so an edited title is found by its new words only.

A search word's own pairs (and the Latin words it surely contains) narrow the rows through
the index, a superset of the rows that hold it; the exact substring test (ILIKE) then
confirms them. A report title searched for three characters or more goes through its
trigram index instead, which keeps the characters' order. A word that yields nothing to look up (one character, or Latin letters that
may sit inside a longer word) is answered by a bounded scan of the newest `SCAN_ROWS` rows.
"""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

from models.base import db

SCAN_ROWS = 10_000  # a word the index cannot narrow is looked for in this many newest rows
LONGEST_WORD = 60  # a Latin word is kept to this many characters (a tsvector lexeme is short)

CJK, WORD, OTHER, WILD = "cjk", "word", "other", "wild"
CJK_RANGES = (
    (0x3040, 0x30FF),  # hiragana, katakana
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xAC00, 0xD7AF),  # hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x20000, 0x3134F),  # CJK extensions B-G
)


def _kind(char, wildcards=False):
    code = ord(char)
    if any(low <= code <= high for low, high in CJK_RANGES):
        return CJK
    if char.isalnum():
        return WORD
    if wildcards and char in "%_":
        return WILD
    return OTHER


def _runs(text, wildcards=False):
    """(kind, run, bounded on the left, bounded on the right) of each CJK or Latin run.

    A run is bounded on a side when the text goes on there with a character of another
    kind (so the run ends there wherever the text is found); a wildcard bounds nothing."""
    kinds = [_kind(char, wildcards) for char in text]
    runs, start = [], 0
    while start < len(text):
        kind = kinds[start]
        end = start
        while end < len(text) and kinds[end] == kind:
            end += 1
        if kind in (CJK, WORD):
            left = start > 0 and kinds[start - 1] != WILD
            right = end < len(text) and kinds[end] != WILD
            runs.append((kind, text[start:end], left, right))
        start = end
    return runs


def words(*texts):
    """The index's words of these texts (a set): CJK pairs, lone CJK characters, Latin
    words and digit runs."""
    found = set()
    for text in texts:
        for kind, run, _left, _right in _runs((text or "").lower()):
            if kind == WORD:
                found.add(run[:LONGEST_WORD])
            elif len(run) == 1:
                found.add(run)
            else:
                found.update(run[i : i + 2] for i in range(len(run) - 1))
    return found


def query_words(term):
    """(words every match holds, word prefixes every match holds) for one search word.

    Both empty when the index cannot narrow the search (one character; Latin letters that
    may be part of a longer word). `%` and `_` are taken as LIKE's wildcards."""
    exact, prefixes = set(), set()
    for kind, run, left, right in _runs(term.lower(), wildcards=True):
        if kind == CJK:
            if len(run) > 1:
                exact.update(run[i : i + 2] for i in range(len(run) - 1))
            elif left and right:
                exact.add(run)
        elif left and right and len(run) <= LONGEST_WORD:
            exact.add(run)
        elif left:
            prefixes.add(run[:LONGEST_WORD])
    return exact, prefixes


def stored(found, dialect_name):
    """Words as the database keeps them: a tsvector's text, or words apart by spaces."""
    if dialect_name == "postgresql":
        # Words hold letters, digits and CJK only: nothing to escape inside the quotes.
        return " ".join(f"'{word}'" for word in sorted(found))
    return " ".join(sorted(found))


class as_words(FunctionElement):
    """A bound value as the column's type: a tsvector on PostgreSQL, text elsewhere."""

    inherit_cache = True


@compiles(as_words)
def _as_text(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(as_words, "postgresql")
def _as_tsvector(element, compiler, **kw):
    return f"CAST({compiler.process(element.clauses, **kw)} AS tsvector)"


class SearchWords(TypeDecorator):
    """The words of a row (a set of words in Python): tsvector or text."""

    impl = sa.Text
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(TSVECTOR())
        return dialect.type_descriptor(sa.Text())

    def process_bind_param(self, value, dialect):
        if value is None or isinstance(value, str):
            return value
        return stored(value, dialect.name)

    def bind_expression(self, bindvalue):
        return as_words(bindvalue)


class Searchable:
    """A model whose `search_fields` are searched through the bigram index."""

    search_fields = ()
    trigram_field = None  # the one search field with a trigram index too (migration ff1704d0dbbc)

    @sa.orm.declared_attr
    def search_words(cls):
        fields = cls.search_fields

        def from_the_row(context):
            # A Core INSERT (a bulk load) gets its words too; the ORM writes them itself.
            given = context.get_current_parameters()
            return words(*(given.get(name) for name in fields))

        # Deferred: only searches read it, as a condition. No server default: a row
        # written without its words fails rather than being unfindable.
        return sa.orm.deferred(sa.Column(SearchWords, nullable=False, default=from_the_row))

    def words(self):
        return words(*(getattr(self, name) for name in self.search_fields))

    @classmethod
    def fts_table(cls):
        return f"{cls.__tablename__}_words"

    @classmethod
    def narrowing(cls, term):
        """A condition the rows holding `term` all meet, served by the index; None when
        the index cannot narrow it."""
        if cls.trigram_field and len(term) >= 3 and not set(term) & set('%_\\"'):
            return cls._trigram_narrowing(term)
        exact, prefixes = query_words(term)
        if not exact and not prefixes:
            return None
        if db.engine.dialect.name == "postgresql":
            parts = [f"'{w}'" for w in sorted(exact)] + [f"'{w}':*" for w in sorted(prefixes)]
            tsquery = sa.cast(sa.literal(" & ".join(parts), sa.Text), TSQUERY)
            return cls.search_words.op("@@")(tsquery)
        parts = [f'"{w}"' for w in sorted(exact)] + [f'"{w}" *' for w in sorted(prefixes)]
        table = cls.fts_table()
        matching = (
            sa.select(sa.literal_column("rowid"))
            .select_from(sa.table(table))
            .where(sa.literal_column(table).op("MATCH")(sa.literal(" ".join(parts), sa.Text)))
        )
        return cls.id.in_(matching)

    @classmethod
    def _trigram_narrowing(cls, term):
        # Three characters or more of a field with a trigram index of its own (a report's
        # title: pg_trgm, or SQLite's FTS5 trigram table): its trigrams keep the order of
        # the characters, where pairs do not. At a million reports `秸秆禁烧工作12` (758
        # matches) reads 758 rows through the trigrams, 4,301 through the pairs.
        if db.engine.dialect.name == "postgresql":
            return getattr(cls, cls.trigram_field).ilike(f"%{term}%")
        matching = (
            sa.select(sa.literal_column("rowid"))
            .select_from(sa.table(f"{cls.__tablename__}_fts"))
            .where(
                sa.literal_column(f"{cls.__tablename__}_fts").op("MATCH")(sa.literal(f'"{term}"'))
            )
        )
        return cls.id.in_(matching)

    @classmethod
    def scan_bound(cls):
        """The smallest id of the newest SCAN_ROWS rows, None if there are no more rows
        than that (a scan then reads them all)."""
        return db.session.scalar(
            sa.select(cls.id).order_by(cls.id.desc()).offset(SCAN_ROWS - 1).limit(1)
        )


def _write_words(_mapper, _connection, target):
    state = sa.inspect(target)
    if state.persistent and not any(
        state.attrs[name].history.has_changes() for name in target.search_fields
    ):
        return
    target.search_words = target.words()


sa.event.listen(Searchable, "before_insert", _write_words, propagate=True)
sa.event.listen(Searchable, "before_update", _write_words, propagate=True)


def narrowed(model, terms):
    """(conditions, scanned): what narrows `model` to the rows that may hold every term,
    through the index. When no term can use it, the newest SCAN_ROWS rows, and `scanned`
    is how many rows were read (0 when the search reached them all)."""
    conditions = [c for c in (model.narrowing(term) for term in terms) if c is not None]
    if conditions:
        return conditions, 0
    bound = model.scan_bound()
    if bound is None:
        return [], 0
    return [model.id >= bound], SCAN_ROWS


def sqlite_triggers(table):
    """SQLite's triggers keeping the FTS5 table "<table>_words" in step with the table's
    search_words: {name: body}. A batch migration that recreates the table drops them;
    it recreates them with CREATE TRIGGER IF NOT EXISTS."""
    fts = f"{table}_words"
    delete = f"INSERT INTO {fts}({fts}, rowid, search_words) VALUES ('delete', old.id, old.search_words);"
    insert = f"INSERT INTO {fts}(rowid, search_words) VALUES (new.id, new.search_words);"
    return {
        f"{fts}_insert": f"AFTER INSERT ON {table} BEGIN {insert} END",
        f"{fts}_delete": f"AFTER DELETE ON {table} BEGIN {delete} END",
        f"{fts}_update": f"AFTER UPDATE OF search_words ON {table} BEGIN {delete} {insert} END",
    }
