"""tau2-bench's Task JSON Schema, vendored for the `--tau2` export of `scaleenv synth`.

The schema must accept tau2's own retail tasks and reject a task that lacks what tau2 requires,
so that validating our exports against it means something.
"""
import copy
import json
from pathlib import Path

import jsonschema
import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "tau2"
SCHEMA = Path(__file__).resolve().parents[2] / "scaleenv_dsl" / "synth" / "schemas" / "tau2_task.schema.json"


def _schema():
    return json.loads(SCHEMA.read_text())


def _tau2_tasks():
    return json.loads((FIXTURES / "retail_tasks_sample.json").read_text())


def test_vendored_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(_schema())


@pytest.mark.parametrize("index", range(5))
def test_tau2_own_retail_tasks_validate(index):
    jsonschema.validate(_tau2_tasks()[index], _schema())


def test_task_without_user_scenario_is_rejected():
    task = copy.deepcopy(_tau2_tasks()[0])
    del task["user_scenario"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(task, _schema())
