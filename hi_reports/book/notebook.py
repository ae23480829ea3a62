"""The reproducibility notebook of an edition: ``reproduce.ipynb``, beside ``annex.csv``.

It is for people, not the build (no kernel runs while editions are built): an analyst opens it in
the edition's folder and runs it. It writes no absolute path (on a real system the activity file's
folder names where a patient-level extract lives): a parameters cell takes the data folder from
``$HI_REPORTS_DATA`` (else hi_reports' default folder) and each activity file by its name, looked
up in ``$HI_REPORTS_ACTIVITY_DIR`` or else the notebook's own folder. It loads the reference data,
recomputes the organisation's residents and its Core20 and rural shares with plain pandas from the
LSOA table and the organisation's weights, then recomputes every number of the
chapters with the package and compares each with the annex. Written with nbformat; the cells hold
only code that calls the package's public functions, so it keeps working as the package changes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from hi_reports.literate._nbformat import new_code_cell, new_markdown_cell, new_notebook, write

NOTEBOOK = "reproduce.ipynb"


@dataclass(frozen=True, kw_only=True)
class NotebookSpec:
    """What the notebook reproduces: the edition's organisation, data and activity. (No folder:
    the notebook holds no absolute path; it reads the data folder from ``HI_REPORTS_DATA``.)"""

    org_code: str
    org_name: str
    kind: str
    vintage: str
    date: str
    #: The activity measures as ``ActivitySpec`` keyword arguments (``path`` a file name only).
    activity: tuple[dict[str, object], ...] = ()
    #: The marking of an edition made from true counts ("UNSAFE COUNTS: ..."), or nothing.
    mark: str = ""


def notebook(spec: NotebookSpec) -> NotebookNode:
    """The notebook for ``spec`` (see the module's description)."""

    def spec_code(arguments: dict[str, object]) -> str:
        rest = {k: v for k, v in arguments.items() if k != "path"}
        if "path" not in arguments:
            return f"ActivitySpec(**{rest!r})"
        return f"ActivitySpec(path=ACTIVITY_DIR / {str(arguments['path'])!r}, **{rest!r})"

    activity = ",\n    ".join(spec_code(a) for a in spec.activity)
    activity_list = f"[\n    {activity},\n]" if activity else "[]"
    banner = f"**{spec.mark}**\n\n" if spec.mark else ""
    cells = [
        new_markdown_cell(
            f"# {spec.mark + ': ' if spec.mark else ''}Reproduce the numbers of the "
            f"{spec.org_name} edition\n\n"
            + banner
            + "Run this notebook in the edition's folder, beside `annex.csv`, with `hi-reports` "
            "installed. It recomputes the edition's numbers from the reference data: first the "
            "residents and the two headline shares with plain pandas, then every number of the "
            "chapters, each compared with the annex. Set the parameters below (or the environment "
            "variables they read) to say where the data are."
        ),
        new_code_cell(
            "# Parameters: where the data are. No path is written into this notebook.\n"
            "import os\n"
            "from pathlib import Path\n\n"
            "DATA_DIR = os.environ.get('HI_REPORTS_DATA')  "
            "# the reference data folder; None: hi_reports' default\n"
            "ACTIVITY_DIR = Path(os.environ.get('HI_REPORTS_ACTIVITY_DIR', '.'))  "
            "# the folder of the activity file(s)",
            metadata={"tags": ["parameters"]},
        ),
        new_code_cell(
            "import datetime as dt\n"
            "import tempfile\n"
            "from pathlib import Path\n\n"
            "import numpy as np\n"
            "import pandas as pd\n\n"
            "from hi_reports.data import load_reference\n"
            "from hi_reports.pipeline import ActivitySpec, chapter_context, kind_profiles, "
            "measures, prepare_activity\n"
            "from hi_reports.geography import membership, resolve\n\n"
            f"reference = load_reference(DATA_DIR, {spec.vintage!r})\n"
            f"org = resolve(reference, {spec.org_code!r}, {spec.kind!r})\n"
            "annex = pd.read_csv('annex.csv')\n"
            "print(org.name, '| vintage', reference.vintage.name)\n"
            "pd.DataFrame([{'dataset': name, 'file': Path(s.path).name, 'sha256': s.sha256} "
            "for name, s in reference.sources.items()])"
        ),
        new_markdown_cell(
            "## The organisation's residents\n\n"
            "An organisation is a set of weights over the neighbourhoods (LSOAs): 1 for a member "
            "LSOA, a catchment share for a trust. Its residents in a group are the sum over its "
            "LSOAs of the LSOA's residents times the weight."
        ),
        new_code_cell(
            "weights = membership(reference, org.kind)\n"
            "mine = weights.loc[weights['org'] == org.key].set_index('lsoa_code')['weight']\n"
            "lsoas = reference.lsoas.loc[mine.index]\n"
            "residents = lsoas['population'] * mine\n"
            "print(f'{residents.sum():,.0f} residents in {len(mine):,} LSOAs')\n"
            "residents.groupby(lsoas['imd_decile']).sum()"
            ".rename('residents by national IMD decile').to_frame()"
        ),
        new_markdown_cell(
            "## Core20 and rural shares, with plain pandas\n\n"
            "Core20: residents of the 20% most deprived LSOAs in England (national IMD deciles 1 "
            "and 2). Rural: residents of LSOAs the Rural-Urban Classification calls rural."
        ),
        new_code_cell(
            "core20 = residents[lsoas['imd_decile'] <= 2].sum() / residents.sum()\n"
            "rural = residents[lsoas['urban_rural'] == 'Rural'].sum() / residents.sum()\n"
            "printed = annex.drop_duplicates('key').set_index('key')['value']\n"
            "assert np.isclose(core20, printed['imd.core20.share'], rtol=1e-12, atol=0)\n"
            "assert np.isclose(rural, printed['rural.rural.share'], rtol=1e-12, atol=0)\n"
            "print(f'Core20 share {core20:.1%}, rural share {rural:.1%}: as the annex has them')"
        ),
        new_markdown_cell(
            "## Every number of the annex\n\n"
            "The package computes every chapter's figures (charts and maps are drawn into a "
            "temporary folder); each number is compared with the annex."
            + (" The activity is read again from the same file(s)." if spec.activity else "")
        ),
        new_code_cell(
            f"specs = {activity_list}\n"
            "activity = prepare_activity(specs, reference, org.kind)\n"
            "context = chapter_context(org, reference, kind_profiles(reference, org.kind),\n"
            f"                          date=dt.date.fromisoformat({spec.date!r}),\n"
            "                          figures_dir=Path(tempfile.mkdtemp()), activity=activity)\n"
            "computed = {m.key: m.value for m in measures(context)}\n"
            "# numbers of chapters of one's own (literate chapters) are not the package's: "
            "not run here\n"
            "own = ~annex['key'].isin(list(computed))\n"
            "check = annex[~own].assign(recomputed=annex['key'].map(computed))\n"
            "same = np.isclose(check['value'], check['recomputed'], rtol=1e-9, atol=0, "
            "equal_nan=True)\n"
            "print(f'{int(same.sum())} of {len(check)} numbers of the annex reproduced'\n"
            "      + (f'; {int(own.sum())} from chapters of your own "
            '({", ".join(sorted(set(annex.loc[own, "chapter"])))}), \'\n'
            "         'which this notebook does not run' if own.any() else ''))\n"
            "assert same.all(), check.loc[~same, ['chapter', 'key', 'value', 'recomputed']]\n"
            "check[['chapter', 'key', 'printed', 'value', 'recomputed']]"
        ),
    ]
    book = new_notebook(cells)
    book.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    book.metadata["language_info"] = {"name": "python"}
    return book


def write_notebook(folder: str | os.PathLike[str], spec: NotebookSpec) -> Path:
    """Write ``reproduce.ipynb`` into ``folder`` and return its path."""
    path = Path(folder) / NOTEBOOK
    book = notebook(spec)
    nbformat.validate(book)
    write(book, path)
    return path
