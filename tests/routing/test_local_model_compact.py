"""routing/local_model/compact.py predicts what scikit-learn's fitted pipeline predicts, with
numpy alone, from an artifact that holds arrays only."""

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from routing.local_model import artifact, compact, data, train

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def fitted():
    examples = [e for e in data.shipped() if e.split == "train"][::6]
    held = [e for e in data.shipped() if e.split == "heldout"][::40]
    return train.fit(examples), held


@pytest.mark.parametrize("algorithm", train.ALGORITHMS)
def test_it_gives_scikit_learn_s_probabilities(algorithm):
    examples = [e for e in data.shipped() if e.split == "train"][::10]
    trained = train.fit(examples, algorithm)
    model = compact.export(trained.pipeline)
    texts = [e.text for e in data.shipped() if e.split == "heldout"][::80]
    texts += ["", "x", "Café  crème — déjà vu!!", "ab", "a b c d e f g h"]
    texts += ["Tidewaterのデモを来週お願いできますか。", "見積もり 30名分、Jobberとの連携"]
    expected = trained.pipeline.predict_proba(texts)
    got = np.array([model.predict_proba(text) for text in texts])
    assert np.allclose(got, expected, atol=1e-5)


def test_it_round_trips_through_an_artifact_without_pickle(fitted):
    trained, held = fitted
    blob = artifact.dumps(trained.pipeline, trained.lead_labels, trained.language_model)
    assert b"pickle" not in blob[:200]
    loaded = artifact.loads(blob)
    for e in held:
        category, confidence, _ = loaded.predict(e.text)
        assert category == trained.pipeline.predict([e.text])[0]
        assert confidence == pytest.approx(trained.pipeline.predict_proba([e.text]).max(), abs=1e-5)


def test_its_language_head_names_the_training_languages(fitted):
    trained, _ = fitted
    loaded = artifact.loads(
        artifact.dumps(trained.pipeline, trained.lead_labels, trained.language_model)
    )
    language, sure = loaded.language(
        "Guten Tag, wir würden gern eine Vorführung für unser Team von zwanzig Leuten buchen."
    )
    assert language == "de" and sure > 0.5


def test_a_worker_predicts_without_importing_scikit_learn(fitted, tmp_path):
    trained, _ = fitted
    path = tmp_path / "model.bin"
    path.write_bytes(artifact.dumps(trained.pipeline, trained.lead_labels, trained.language_model))
    code = (
        "import sys; from pathlib import Path; from routing.local_model import artifact; "
        f"m = artifact.loads(Path({str(path)!r}).read_bytes()); m.predict('hello, a demo?'); "
        "print('sklearn' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_japanese_words_are_its_characters_and_their_pairs():
    # Japanese has no spaces: scikit-learn's default token pattern makes a clause one token.
    words = train.build_pipeline().steps[0][1].transformer_list[0][1].build_analyzer()
    grams = words("来週、Tidewaterのデモをお願いします。")
    assert {"来", "週", "tidewater", "の", "デ", "モ", "デ モ", "tidewater の"} <= set(grams)
    assert "来週" not in grams and "デモをお願いします" not in grams
    # Text without kana or kanji is tokenized as scikit-learn's default does.
    text = "Can we book a demo for 25 technicians? Ça coûte combien, s'il vous plaît? Привет"
    assert words(text) == TfidfVectorizer(ngram_range=(1, 2)).build_analyzer()(text)


def test_it_reads_an_artifact_written_before_the_token_pattern_was_kept(fitted):
    trained, held = fitted
    blob = compact.dumps(compact.export(trained.pipeline))
    assert compact.loads(blob).vectorizers[0].token_pattern == train.TOKEN_PATTERN
    arrays = dict(np.load(io.BytesIO(blob), allow_pickle=False))
    for key in [k for k in arrays if k.endswith("_meta")]:
        arrays[key] = arrays[key][:4]  # analyzer, n-gram range, sublinear: no pattern
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    old = compact.loads(buffer.getvalue())
    assert [v.token_pattern for v in old.vectorizers] == [compact.TOKEN, compact.TOKEN]
    assert old.vectorizers[0].terms("Hello, a demo-day") == [
        "hello",
        "demo",
        "day",
        "hello demo",
        "demo day",
    ]
