"""Text triage, case by case: what a resident writes and what the front desk should guess.

Each table row reads as: message -> the fields that matter for it. Accuracy over the labelled
sets lives in test_triage_accuracy.py.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.triage import Triage, triage, warm_up

FIELDS = ["intent", "trade", "location", "emergency", "callback_class", "service", "hazard",
          "severity"]


def check(text: str, **expected: Any) -> None:
    got = triage(text).as_dict()
    wrong = {k: (v, got[k]) for k, v in expected.items() if got[k] != v}
    assert not wrong, f"{text!r}: (expected, got) {wrong}"


INTENTS = [
    ("厨房水龙头一直滴水，关不紧", "repair"),
    ("想预约下周六的家政保洁，三室两厅", "service"),
    ("保安态度太差，对业主大吼大叫", "complaint"),
    ("装修需要办什么手续？", "enquiry"),
    ("为什么我的账单上多了一笔滞纳金", "fee"),
    ("在吗", "other"),
    ("你们上次修的水管又漏了，到现在没人管", "complaint"),  # past repair, not a new repair
    ("楼道灯坏了，顺便问下这个月物业费交了没", "repair"),  # main topic first
]


@pytest.mark.parametrize(("text", "intent"), INTENTS)
def test_each_intent_is_recognised(text: str, intent: str) -> None:
    check(text, intent=intent)


TRADES = [
    ("马桶堵了，冲不下去", "plumbing"),
    ("卧室的开关按了没反应", "electrical"),
    ("煤气灶打不着火", "gas"),
    ("空调不制冷", "hvac"),
    ("5号楼的电梯门关不上", "lift"),
    ("楼上渗水到我家，天花板都湿了", "civil"),
    ("地下车库道闸抬不起来", "security"),
    ("小区草坪边的树倒了挡住路", "greenery"),
    ("电梯里有人吐了，麻烦安排人清理一下", "cleaning"),
    ("家里厨房蟑螂太多了", "other"),
]


@pytest.mark.parametrize(("text", "trade"), TRADES)
def test_each_trade_is_recognised(text: str, trade: str) -> None:
    check(text, trade=trade)


@pytest.mark.parametrize(("text", "location"), [
    ("楼道的灯坏了，晚上很黑", "public"),
    ("客厅日光灯一直闪，点不亮", "unit"),
    ("楼上渗水，我家天花板都湿了", "unit"),  # water from upstairs, damage in my home
    ("我家门口的感应灯不亮了", "public"),  # outside my door is the corridor
    ("The car park barrier is stuck open", "public"),
])
def test_location_unit_or_public(text: str, location: str) -> None:
    check(text, location=location)


@pytest.mark.parametrize(("text", "hazard", "trade"), [
    ("家里闻到很浓的煤气味！", "gas", "gas"),
    ("楼梯间着火冒烟了", "fire", "security"),
    ("3栋2单元电梯困人了，快来人", "lift", "lift"),
    ("插座冒火花，有烧焦味", "sparks", "electrical"),
    ("电表箱里有噼里啪啦的声音，还冒烟", "sparks", "electrical"),  # electrical smoke
    ("水管爆了，家里在淹水！", "flood", "plumbing"),
    ("Kitchen fire!! pan caught fire", "fire", "security"),
    ("Someone is stuck in the lift in block 3!", "lift", "lift"),
])
def test_each_hazard_is_an_emergency(text: str, hazard: str, trade: str) -> None:
    check(text, intent="repair", emergency=True, hazard=hazard, trade=trade)


@pytest.mark.parametrize("text", [
    "燃气热水器打不着火",  # ignition fault, not a fire
    "没有煤气味了",
    "电梯一直停在十楼不动",  # nobody trapped
    "电梯上周困人，这周又坏了，出了事谁负责？",  # history
    "有人在中庭烤肉，烟一直飘进来",  # barbecue smoke
    "燃气灶点火的时候有点小火花，但是点不着",  # the igniter's spark
    "草坪的自动喷灌坏了，一直在喷水，路上全是水",
    "When is the next fire drill?",
    "Fire extinguisher on floor 4 is missing",
    "The smoke alarm in the corridor went off but there's no smoke or fire",
    "There was a small flood in the laundry room last week, it's dry now",
    "People smoking in the lift lobby every evening",
])
def test_tricky_messages_are_not_emergencies(text: str) -> None:
    result = triage(text)
    assert not result.emergency and result.hazard is None, (text, result)


@pytest.mark.parametrize(("text", "callback_class"), [
    ("小区门禁刷卡没反应", "safety"),
    ("5栋楼道的消防栓玻璃碎了", "safety"),
    ("顶楼天花板漏雨，家里拿了三个盆接水", "leak"),
    ("Water is seeping through my bathroom ceiling from the flat above", "leak"),
    ("入户门锁坏了，进不了门", "other"),
    ("厨房水龙头一直滴水", "other"),
])
def test_callback_class_follows_the_trade_and_water(text: str, callback_class: str) -> None:
    check(text, callback_class=callback_class)


@pytest.mark.parametrize(("text", "service"), [
    ("客厅日光灯一直闪，启辉器可能坏了", "fluorescent_lamp"),
    ("家里一开微波炉就跳闸", "switch"),
    ("厨房水龙头一直滴水", "tap_valve"),
    ("燃气热水器一开就嘭的一声", "gas_water_heater"),
    ("煤气灶火焰发红", "gas_stove"),
    ("卫生间马桶水箱一直漏水", "toilet_cistern"),
    ("空调不制冷，想请师傅上门看看", "air_conditioner"),
    ("请师傅帮忙安装一段给水管", "water_pipe_install"),
    ("想预约下周六的家政保洁", "household_cleaning"),
    ("马桶堵了", None),  # a clog is not a cistern repair
    ("楼道的灯坏了", None),  # public repairs are free, never a catalog item
    ("电热水器不加热了", None),  # the catalog's heater is the gas one
])
def test_service_key_from_the_catalog(text: str, service: str | None) -> None:
    check(text, service=service)


@pytest.mark.parametrize(("text", "expected"), [
    ("不是爆管，只是接头有点滴水", {"emergency": False, "trade": "plumbing"}),
    ("没有闻到煤气味，就是灶的火特别小", {"emergency": False, "trade": "gas"}),
    ("No gas smell anymore, the stove works fine now, thanks", {"emergency": False}),
    ("The lift is stuck on the 10th floor, nobody's inside", {"emergency": False}),
    ("Pipe under the sink is dripping a little, not urgent", {"emergency": False}),
])
def test_negation_cancels_a_hazard(text: str, expected: dict[str, object]) -> None:
    check(text, **expected)


@pytest.mark.parametrize(("text", "expected"), [
    ("家裡有瓦斯味，很濃", {"hazard": "gas", "location": "unit"}),
    ("想預約冷氣清洗", {"intent": "service", "trade": "hvac", "service": "air_conditioner"}),
    ("保全人員上班時間在睡覺", {"intent": "complaint"}),
    ("𨋢壞咗，有人困咗喺入面！", {"hazard": "lift"}),  # Cantonese
    ("屋企個廁所塞咗，沖唔落", {"trade": "plumbing", "location": "unit"}),
    ("升降機成日停喺12樓唔郁", {"trade": "lift", "emergency": False}),
    ("管理費可以用信用卡繳嗎", {"intent": "fee"}),
])
def test_traditional_and_cantonese_input(text: str, expected: dict[str, object]) -> None:
    check(text, **expected)


@pytest.mark.parametrize(("text", "expected"), [
    ("The kitchen tap is leaking", {"trade": "plumbing", "service": "tap_valve"}),
    ("Corridor light on floor 5 is out", {"trade": "electrical", "location": "public"}),
    ("I smell gas in my flat", {"hazard": "gas", "location": "unit"}),
    ("Can I book a deep clean for next Saturday?", {"intent": "service", "trade": "cleaning"}),
    ("How do I register my renovation?", {"intent": "enquiry"}),
    ("When is the management fee due this quarter?", {"intent": "fee"}),
])
def test_english_input(text: str, expected: dict[str, object]) -> None:
    check(text, **expected)


@pytest.mark.parametrize(("text", "expected"), [
    ("我家的aircon不制冷了，能来看看吗", {"trade": "hvac", "service": "air_conditioner"}),
    ("lobby的灯坏了好几个", {"trade": "electrical", "location": "public"}),
    ("电梯stuck了，里面有人！！", {"hazard": "lift"}),
    ("物业fee可以用paypal吗", {"intent": "fee"}),
])
def test_mixed_chinese_and_english(text: str, expected: dict[str, object]) -> None:
    check(text, **expected)


@pytest.mark.parametrize(("text", "severity"), [
    ("高空抛物！刚才从楼上扔下来一个酒瓶，差点砸到我孩子", "major"),
    ("报修三天了还没人来，打电话就说在排队", "important"),
    ("客服小姑娘说话很冲", "minor"),
])
def test_complaints_get_a_suggested_severity(text: str, severity: str) -> None:
    check(text, intent="complaint", severity=severity)


EMPTY = Triage("other", None, None, False, None, None, None, None)


@pytest.mark.parametrize("text", ["", "   \n\t ", "😀😀😀", "？？？", "\u200b\u200b", "\ud800"])
def test_unusable_input_is_other(text: str) -> None:
    assert triage(text) == EMPTY


def test_a_very_long_message_is_triaged_on_its_start() -> None:
    story = "我家厨房的水龙头一直在滴水。" + "我们家住了十年了，" * 1200
    assert len(story) >= 10_000
    result = triage(story)
    assert result.trade == "plumbing" and result.service == "tap_valve"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_triage_never_raises_and_keeps_its_invariants(text: str) -> None:
    result = triage(text)
    assert isinstance(result, Triage)
    if result.intent not in ("repair", "service"):
        assert result.trade is None and result.location is None
        assert result.callback_class is None
        assert result.service is None and not result.emergency
    assert (result.hazard is not None) == result.emergency
    assert (result.severity is not None) == (result.intent == "complaint")


def test_non_complaints_have_no_severity_and_fields_stay_consistent() -> None:
    result = triage("楼道的灯坏了")
    assert result.severity is None and result.callback_class == "other"


def test_as_dict_keeps_the_documented_field_order() -> None:
    data = triage("厨房水龙头一直滴水").as_dict()
    assert list(data) == FIELDS
    assert data == {"intent": "repair", "trade": "plumbing", "location": "unit",
                    "emergency": False, "callback_class": "other", "service": "tap_valve",
                    "hazard": None, "severity": None}


def test_results_are_immutable() -> None:
    result = triage("空调不制冷")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.intent = "fee"  # type: ignore[misc]


def test_warm_up_loads_once() -> None:
    warm_up()
    assert warm_up() == 0.0


# --- Normalisation: every layer sees the same Simplified Mandarin ---------------------------

@pytest.mark.parametrize(("raw", "canonical"), [
    ("插蘇燒咗", "插座烧了"),  # Hong Kong: socket; Cantonese perfective
    ("水喉漏水", "水龙头漏水"),
    ("𨋢壞咗", "电梯坏了"),
    ("唔制冷", "不制冷"),
    ("冇電", "没有电"),
    ("瓦斯味", "燃气味"),  # Taiwan: gas
    ("總掣跳咗", "总闸跳了"),
    ("冷氣滴水", "空调滴水"),
    ("电悌坏了", "电梯坏了"),  # pinyin-IME slips
    ("煤汽味", "煤气味"),
    ("店梯里有人", "电梯里有人"),
    ("屋里很像然气", "屋里很像燃气"),
    ("頭先火警鐘響咗", "刚才火警钟响了"),
    ("瓦斯沒氣了", "燃气没气了"),  # out of gas: 没气 is no slip for 煤气
])
def test_normalisation_folds_regional_words_and_typos(raw: str, canonical: str) -> None:
    from dialogs.triage._load import get_model

    assert get_model().normalize(raw) == canonical


def test_normalisation_folds_english_spellings() -> None:
    from dialogs.triage._load import get_model

    norm = get_model().normalize
    assert norm("stuk in the elevatr plz") == norm("stuck in the lift please")
    assert norm("its not working i cant open") == norm("it's not working i can't open")


# --- Emergencies by co-occurring concepts, recall first -------------------------------------

@pytest.mark.parametrize(("text", "hazard"), [
    ("电题困人 3单元", "lift"),  # a typo and no "lift"
    ("店梯坏了 我儿子在里面出不来", "lift"),  # no word "trapped"
    ("𨋢停咗喺兩層中間 入面仲有人", "lift"),
    ("stuk in lift with my daughter plz come quick", "lift"),
    ("the elevator stopped between floors and my dad is inside", "lift"),
    ("洗衣機條去水喉甩咗出嚟 而家成個廚房都係水", "flood"),  # a hose, water everywhere
    ("the hose under the sink just burst, water everywhere", "flood"),
    ("天花板突然哗哗地往下漏水 跟下雨一样", "flood"),
    ("灶台那边一直嘶嘶的响 一股臭鸡蛋的味道", "gas"),  # hissing and a smell, no word "gas"
    ("the stove is hissing and there's a weird smell", "gas"),
    ("屋里有一股臭味很像然气", "gas"),
    ("樓梯好大煙 有陣燒嘢味", "fire"),
    ("延長線插座燙到不能摸 還在冒白煙", "sparks"),  # electrical smoke is reported as sparks
    ("电表那边在打火 噼啪噼啪的", "sparks"),
])
def test_emergencies_in_other_words(text: str, hazard: str) -> None:
    result = triage(text)
    assert result.emergency and result.hazard == hazard, (text, result)
    assert not result.emergency_uncertain


@pytest.mark.parametrize("text", [
    "水管爆了维修费是我出还是物业出",  # fee talk
    "the burst pipe repair bill, is that on me or the insurance",
    "上午电梯困人保安来得很快 谢谢你们",  # thanks
    "we got out of the lift fine, technician came in 10 min, thanks",
    "前天燃气泄漏你们半个小时才来人 太慢了",  # the past
    "did you find out what caused the gas smell last night",
    "要是被困电梯了 值班电话是多少",  # a question, a what-if
    "what number do i call if someone gets trapped in the lift",
    "電梯裡面有人吐 味道很重 麻煩派清潔來",  # a mess in the lift
    "火警鐘無啦啦響咗 但係冇火 可唔可以整返",  # an alarm, no fire
    "隔壁天天炒辣椒 呛得我们全家咳嗽",  # cooking
])
def test_guards_keep_fee_thanks_past_and_questions_out(text: str) -> None:
    assert not triage(text).emergency, text


@pytest.mark.parametrize("text", [
    "电梯停在10楼不动了",  # nobody said to be inside: ask
    "lift not moving",
    "要是被困电梯了 值班电话是多少",  # a question about a danger: asking costs one tap
    "没有闻到煤气味，就是灶的火特别小",  # denied, but about gas: ask
])
def test_uncertain_messages_ask_is_anyone_in_danger(text: str) -> None:
    result = triage(text)
    assert not result.emergency and result.emergency_uncertain, (text, result)


@pytest.mark.parametrize("text", ["厨房水龙头一直滴水", "物业费怎么交", "谢谢师傅", "空调不制冷",
                                  "When is the management fee due this quarter?"])
def test_ordinary_messages_ask_nothing(text: str) -> None:
    result = triage(text)
    assert not result.emergency and not result.emergency_uncertain, (text, result)


def test_danger_is_the_cheap_check_for_every_free_text_message() -> None:
    from dialogs.triage import danger

    assert danger("开关有烧焦味").emergency and danger("开关有烧焦味").hazard == "sparks"
    assert danger("电梯停在10楼不动了").uncertain
    none = danger("开关坏了")
    assert not none.emergency and not none.uncertain
    assert danger("") == danger("😀")  # never raises


def test_uncertain_is_never_set_together_with_emergency() -> None:
    for text in ["电梯困人了", "电梯停了", "煤气味", "没有煤气味了", ""]:
        result = triage(text)
        assert not (result.emergency and result.emergency_uncertain), text


def danger_if_the_model_says(text: str, label: str) -> Any:
    """The emergency decision for *text* when the learned head says *label*, very surely."""
    from dialogs.triage import _decide
    from dialogs.triage._load import get_model
    from dialogs.triage._model import Prediction

    model = get_model()
    norm = model.normalize(text)
    scores, found = _decide._collect(model, norm)
    other = "no" if label == "yes" else "yes"
    return _decide._danger(model, norm, scores, found,
                           Prediction(label, 10.0, {label: 10.0, other: -10.0}))


@pytest.mark.parametrize(("text", "hazard"), [
    ("困𨋢呀 快啲嚟", "lift"),  # someone shut in a lift
    ("stove is hissing and the whole kitchen smells like rotten eggs", "gas"),
    ("冷氣機燒著咗", "fire"),  # OpenCC keeps 著; the normaliser reads 着
])
def test_a_certain_danger_is_flagged_even_when_the_learned_model_disagrees(
        text: str, hazard: str) -> None:
    assert danger_if_the_model_says(text, "no").hazard == hazard


def test_a_sure_but_not_certain_danger_is_only_asked_about_on_a_strong_veto() -> None:
    # smoke: cooking and cigarettes are common, so the learned head may overrule it
    danger = danger_if_the_model_says("樓梯好大煙", "no")
    assert danger.hazard is None and danger.uncertain


@pytest.mark.parametrize("text", [
    "家里停水了",  # an outage: the notice answers it, not "is anyone in danger?"
    "屋企冇水呀，係咪停水",
    "the water is off",
    "瓦斯沒氣了，是不是停氣",
    "有人在电梯里抽烟味道很大",  # the lift's danger explained away: cigarettes
])
def test_routine_business_and_explained_dangers_ask_nothing(text: str) -> None:
    result = triage(text)
    assert not result.emergency and not result.emergency_uncertain, (text, result)


def test_routine_words_only_quiet_the_learned_model_on_its_own() -> None:
    assert not danger_if_the_model_says("家里停水了", "yes").uncertain
    assert danger_if_the_model_says("家里有股怪味", "yes").uncertain  # not routine: ask
    assert triage("停水了，可是卫生间水管爆了在往外喷").hazard == "flood"  # a concept still flags
    assert triage("power's out and now the fuse box is smoking").emergency


@pytest.mark.parametrize("text", [
    "窗框鬆咗 塊玻璃就快跌落街",
    "my toddler climbed onto the balcony railing and i cant reach him",
    "陽台欄杆斷掉了 小孩差點掉下去",
])
def test_a_fall_danger_only_asks_never_opens_an_emergency(text: str) -> None:
    result = triage(text)
    assert not result.emergency and result.emergency_uncertain, (text, result)
    assert danger_if_the_model_says(text, "yes").hazard is None


def test_an_ask_only_danger_cannot_be_made_sure_in_the_data() -> None:
    from dialogs.triage._emergency import build_concepts

    spec = {"concepts": {"edge": ["窗"], "falling": ["跌"]},
            "rules": {"fall": {"sure": [["edge", "falling"]]}}}
    with pytest.raises(ValueError, match="only ask"):
        build_concepts(spec, lambda items: "|".join(items))


def test_the_office_can_override_a_label() -> None:
    import re

    from dialogs.triage import _decide
    from dialogs.triage._load import get_model

    base = get_model()
    model = dataclasses.replace(base, overrides=((re.compile("车位"), {"intent": "enquiry"}),))
    assert _decide.decide(model, "想租个车位，坏了的那种也行").intent == "enquiry"


def test_the_same_text_again_on_a_thread_is_classified_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An update triages its text several times (hazard check, then the desk or the dialog):
    the thread's last answer serves the repeats, and any other text is classified afresh."""
    import threading

    from dialogs.triage._decide import decide

    decided: list[str] = []

    def counting(model: Any, text: str) -> Any:
        decided.append(text)
        return decide(model, text)

    monkeypatch.setattr("dialogs.triage.decide", counting)
    first = triage("楼道灯不亮了，能修一下吗")
    assert triage("楼道灯不亮了，能修一下吗") is first
    assert decided == ["楼道灯不亮了，能修一下吗"]
    assert triage("厨房水龙头一直滴水").service == "tap_valve"
    assert triage("楼道灯不亮了，能修一下吗") == first
    assert len(decided) == 3
    elsewhere = threading.Thread(target=triage, args=("楼道灯不亮了，能修一下吗",))
    elsewhere.start()
    elsewhere.join()
    assert len(decided) == 4  # another thread has a memo of its own
