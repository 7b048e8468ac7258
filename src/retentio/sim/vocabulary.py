"""The words of the demo store: categories, products, brands, names and search phrases.

Brands are invented so the demo never looks like it endorses a real company.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CategorySpec:
    """One category of the demo store; `nouns` pair a product kind with the days a unit lasts."""

    code: str
    name: str
    weight: float  # how many customers favour it, relative to the others
    median_rub: int
    margin: float
    nouns: tuple[tuple[str, int | None], ...]
    brands: tuple[str, ...]
    complements: tuple[str, ...]  # codes of categories whose products go with these
    searches: tuple[str, ...]


CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec(
        "COS",
        "Косметика",
        1.4,
        850,
        0.45,
        (
            ("Крем для лица", 60),
            ("Сыворотка с витамином C", 45),
            ("Тоник", 50),
            ("Мицеллярная вода", 40),
            ("Маска для лица", 30),
            ("Бальзам для губ", None),
            ("Гель для умывания", 45),
            ("Крем для рук", 35),
        ),
        ("Северная ягода", "Алтай Органик", "Белый лотос", "Лаборатория Лебедь"),
        ("HAIR", "HOME"),
        ("крем", "сыворотка", "уход за кожей", "spf"),
    ),
    CategorySpec(
        "HAIR",
        "Уход за волосами",
        0.9,
        550,
        0.4,
        (
            ("Шампунь", 40),
            ("Бальзам-ополаскиватель", 45),
            ("Маска для волос", 50),
            ("Масло для волос", None),
            ("Сухой шампунь", 30),
        ),
        ("Травы Сибири", "Бархат", "Luna Hair"),
        ("COS",),
        ("шампунь", "бальзам", "для окрашенных волос"),
    ),
    CategorySpec(
        "PETF",
        "Корм для животных",
        1.1,
        1600,
        0.18,
        (
            ("Сухой корм для кошек", 30),
            ("Влажный корм для кошек", 20),
            ("Сухой корм для собак", 30),
            ("Лакомство для собак", 25),
            ("Корм для котят", 30),
        ),
        ("Мурлыка", "Верный друг", "Хвост и лапы"),
        ("PETA",),
        ("корм для кошек", "корм для собак", "влажный корм"),
    ),
    CategorySpec(
        "PETA",
        "Товары для животных",
        0.6,
        700,
        0.35,
        (
            ("Когтеточка", None),
            ("Игрушка-мышка", None),
            ("Лежанка", None),
            ("Поводок", None),
            ("Наполнитель для лотка", 25),
            ("Миска керамическая", None),
        ),
        ("Хвост и лапы", "ЗооДом"),
        ("PETF",),
        ("наполнитель", "когтеточка", "лежанка"),
    ),
    CategorySpec(
        "COF",
        "Кофе и чай",
        1.2,
        750,
        0.3,
        (
            ("Кофе в зёрнах", 25),
            ("Молотый кофе", 25),
            ("Чай улун", 30),
            ("Зелёный чай", 30),
            ("Иван-чай", 35),
            ("Капсулы для кофемашины", 20),
        ),
        ("Бодрое утро", "Зерно и пар", "Чайная гора"),
        ("COFA",),
        ("кофе в зернах", "арабика", "чай", "капсулы"),
    ),
    CategorySpec(
        "COFA",
        "Посуда для кофе и чая",
        0.5,
        1500,
        0.35,
        (
            ("Турка медная", None),
            ("Френч-пресс", None),
            ("Кружка", None),
            ("Ручная кофемолка", None),
            ("Гейзерная кофеварка", None),
            ("Термокружка", None),
        ),
        ("Медный век", "Уютная кухня"),
        ("COF",),
        ("турка", "френч-пресс", "кофемолка"),
    ),
    CategorySpec(
        "BOOK",
        "Книги",
        1.0,
        650,
        0.25,
        (
            ("Роман", None),
            ("Детектив", None),
            ("Книга по маркетингу", None),
            ("Сборник рассказов", None),
            ("Кулинарная книга", None),
            ("Детская энциклопедия", None),
        ),
        ("Полка", "Книжный двор", "Чистый лист", "Северо-Запад"),
        ("STAT",),
        ("детектив", "новинки", "книга в подарок", "бестселлер"),
    ),
    CategorySpec(
        "STAT",
        "Канцелярия",
        0.5,
        300,
        0.4,
        (
            ("Блокнот", None),
            ("Ежедневник", None),
            ("Набор ручек", None),
            ("Закладки", None),
            ("Маркеры", None),
        ),
        ("Чистый лист", "Перо"),
        ("BOOK",),
        ("ежедневник", "блокнот", "ручки"),
    ),
    CategorySpec(
        "BABY",
        "Детские товары",
        0.8,
        1200,
        0.2,
        (
            ("Подгузники", 20),
            ("Влажные салфетки", 15),
            ("Детское пюре", 10),
            ("Крем под подгузник", 40),
            ("Погремушка", None),
        ),
        ("Карапуз", "Солнышко"),
        ("HOME",),
        ("подгузники", "салфетки", "пюре"),
    ),
    CategorySpec(
        "HOME",
        "Бытовая химия",
        0.9,
        450,
        0.3,
        (
            ("Средство для посуды", 35),
            ("Гель для стирки", 40),
            ("Капсулы для посудомойки", 45),
            ("Чистящее средство", 50),
            ("Кондиционер для белья", 45),
        ),
        ("Чистый дом", "Эко Сфера"),
        ("BABY", "COS"),
        ("гель для стирки", "капсулы", "средство для посуды"),
    ),
    CategorySpec(
        "ELEC",
        "Электроника и аксессуары",
        0.7,
        2500,
        0.2,
        (
            ("Наушники", None),
            ("Зарядное устройство", None),
            ("Кабель USB-C", None),
            ("Портативная колонка", None),
            ("Внешний аккумулятор", None),
            ("Чехол для телефона", None),
        ),
        ("Вольт", "Сигнал", "Тайга Тех"),
        ("ELEC",),
        ("наушники", "зарядка", "кабель type-c", "колонка"),
    ),
    CategorySpec(
        "HEAL",
        "Спорт и здоровье",
        0.8,
        1300,
        0.4,
        (
            ("Витамин D3", 60),
            ("Омега-3", 30),
            ("Протеин", 30),
            ("Магний B6", 30),
            ("Коврик для йоги", None),
            ("Фитнес-резинки", None),
        ),
        ("Сила природы", "Атлет"),
        ("HEAL",),
        ("витамин d", "омега", "протеин", "коврик"),
    ),
)

FIRST_NAMES_RU = (
    "Анна",
    "Мария",
    "Елена",
    "Ольга",
    "Наталья",
    "Татьяна",
    "Ирина",
    "Екатерина",
    "Светлана",
    "Юлия",
    "Дарья",
    "Алина",
    "Ксения",
    "Полина",
    "Виктория",
    "Александр",
    "Дмитрий",
    "Максим",
    "Сергей",
    "Андрей",
    "Алексей",
    "Иван",
    "Михаил",
    "Никита",
    "Артём",
    "Павел",
    "Роман",
)
FIRST_NAMES_EN = ("Anna", "Maria", "Kate", "Alex", "Daniel", "Michael", "Sophie", "Victor")
# Latin spellings of the Russian names, used to make plausible e-mail addresses.
LATIN_NAMES = (
    "anna",
    "maria",
    "elena",
    "olga",
    "natalia",
    "tatiana",
    "irina",
    "ekaterina",
    "svetlana",
    "yulia",
    "daria",
    "alina",
    "ksenia",
    "polina",
    "victoria",
    "alexander",
    "dmitry",
    "maxim",
    "sergey",
    "andrey",
    "alexey",
    "ivan",
    "mikhail",
    "nikita",
    "artem",
    "pavel",
    "roman",
)
EMAIL_DOMAINS = ("example.ru", "example.com", "example.org", "mail.example.ru")

# IANA zone, fixed UTC offset in hours (Russia keeps no daylight saving time since 2014),
# and the share of customers living there.
TIMEZONES: tuple[tuple[str, int, float], ...] = (
    ("Europe/Moscow", 3, 0.55),
    ("Europe/Kaliningrad", 2, 0.03),
    ("Europe/Samara", 4, 0.06),
    ("Asia/Yekaterinburg", 5, 0.1),
    ("Asia/Omsk", 6, 0.04),
    ("Asia/Novosibirsk", 7, 0.07),
    ("Asia/Krasnoyarsk", 7, 0.05),
    ("Asia/Irkutsk", 8, 0.04),
    ("Asia/Yakutsk", 9, 0.01),
    ("Asia/Vladivostok", 10, 0.04),
    ("Asia/Kamchatka", 12, 0.01),
)
