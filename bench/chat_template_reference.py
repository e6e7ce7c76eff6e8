#!/usr/bin/env python3
"""Regenerates Tests/EngineTests/Fixtures/chat-templates.json: reference renderings of real chat templates.

Renders each template with Python jinja2 configured the way Hugging Face transformers renders
`tokenizer.chat_template` (transformers/utils/chat_template_utils.py): an ImmutableSandboxedEnvironment
with trim_blocks=True, lstrip_blocks=True and the loopcontrols extension, plus the globals/filters HF adds
(raise_exception, strftime_now, and a tojson that is json.dumps with ensure_ascii=False). Context variables
are the ones transformers passes: messages, add_generation_prompt, tools=None, documents=None, bos_token,
eos_token. strftime_now returns a fixed string so renderings are reproducible (our Swift side does the same).

Template sources are the `chat_template` strings of the named models' tokenizer_config.json files, as
copied verbatim into llama.cpp's tests/test-chat-template.cpp and other public repositories.

Usage: python3 bench/chat_template_reference.py   (system python3 with Jinja2 3.x)
"""
import json
import pathlib

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

FIXED_DATE = "26 Jul 2024"
ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "EngineTests" / "Fixtures" / "chat-templates.json"
GOLDEN = ROOT.parent / "shared" / "golden" / "chat-template.json"


def make_env():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(format):
        return FIXED_DATE

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


ENV = make_env()

CHATML = (
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

LLAMA3 = (
    "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + "
    "message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
    "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}"
)

MISTRAL_V01 = (
    "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
    "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == "
    "'assistant' %}{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant roles are "
    "supported!') }}{% endif %}{% endfor %}"
)

MISTRAL_V02_SYSTEM = (
    "{%- if messages[0]['role'] == 'system' %}\n    {%- set system_message = messages[0]['content'] %}\n"
    "    {%- set loop_messages = messages[1:] %}\n{%- else %}\n    {%- set loop_messages = messages %}\n{%- endif %}\n\n"
    "{{- bos_token }}\n{%- for message in loop_messages %}\n"
    "    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}\n"
    "        {{- raise_exception('After the optional system message, conversation roles must alternate user/assistant/user/assistant/...') }}\n"
    "    {%- endif %}\n    {%- if message['role'] == 'user' %}\n        {%- if loop.first and system_message is defined %}\n"
    "            {{- ' [INST] ' + system_message + '\\n\\n' + message['content'] + ' [/INST]' }}\n        {%- else %}\n"
    "            {{- ' [INST] ' + message['content'] + ' [/INST]' }}\n        {%- endif %}\n"
    "    {%- elif message['role'] == 'assistant' %}\n        {{- ' ' + message['content'] + eos_token}}\n    {%- else %}\n"
    "        {{- raise_exception('Only user and assistant roles are supported, with the exception of an initial optional system message!') }}\n"
    "    {%- endif %}\n{%- endfor %}\n"
)

ZEPHYR = (
    "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n"
    "{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n"
    "{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}\n"
    "{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}"
)

GEMMA2 = (
    "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}"
    "{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
    "{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}"
    "{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{'<start_of_turn>model\n'}}{% endif %}"
)

QWEN25 = r'''{%- if tools %}
    {{- '<|im_start|>system\n' }}
    {%- if messages[0]['role'] == 'system' %}
        {{- messages[0]['content'] }}
    {%- else %}
        {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}
    {%- endif %}
    {{- "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>" }}
    {%- for tool in tools %}
        {{- "\n" }}
        {{- tool | tojson }}
    {%- endfor %}
    {{- "\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n" }}
{%- else %}
    {%- if messages[0]['role'] == 'system' %}
        {{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}
    {%- else %}
        {{- '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' }}
    {%- endif %}
{%- endif %}
{%- for message in messages %}
    {%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant" and not message.tool_calls) %}
        {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>' + '\n' }}
    {%- elif message.role == "assistant" %}
        {{- '<|im_start|>' + message.role }}
        {%- if message.content %}
            {{- '\n' + message.content }}
        {%- endif %}
        {%- for tool_call in message.tool_calls %}
            {%- if tool_call.function is defined %}
                {%- set tool_call = tool_call.function %}
            {%- endif %}
            {{- '\n<tool_call>\n{"name": "' }}
            {{- tool_call.name }}
            {{- '", "arguments": ' }}
            {{- tool_call.arguments | tojson }}
            {{- '}\n</tool_call>' }}
        {%- endfor %}
        {{- '<|im_end|>\n' }}
    {%- elif message.role == "tool" %}
        {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != "tool") %}
            {{- '<|im_start|>user' }}
        {%- endif %}
        {{- '\n<tool_response>\n' }}
        {{- message.content }}
        {{- '\n</tool_response>' }}
        {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}
            {{- '<|im_end|>\n' }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\n' }}
{%- endif %}
'''

MISTRAL_NEMO = r'''{%- if messages[0]["role"] == "system" %}
    {%- set system_message = messages[0]["content"] %}
    {%- set loop_messages = messages[1:] %}
{%- else %}
    {%- set loop_messages = messages %}
{%- endif %}
{%- if not tools is defined %}
    {%- set tools = none %}
{%- endif %}
{%- set user_messages = loop_messages | selectattr("role", "equalto", "user") | list %}

{#- This block checks for alternating user/assistant messages, skipping tool calling messages #}
{%- set ns = namespace() %}
{%- set ns.index = 0 %}
{%- for message in loop_messages %}
    {%- if not (message.role == "tool" or message.role == "tool_results" or (message.tool_calls is defined and message.tool_calls is not none)) %}
        {%- if (message["role"] == "user") != (ns.index % 2 == 0) %}
            {{- raise_exception("After the optional system message, conversation roles must alternate user/assistant/user/assistant/...") }}
        {%- endif %}
        {%- set ns.index = ns.index + 1 %}
    {%- endif %}
{%- endfor %}

{{- bos_token }}
{%- for message in loop_messages %}
    {%- if message["role"] == "user" %}
        {%- if tools is not none and (message == user_messages[-1]) %}
            {{- "[AVAILABLE_TOOLS][" }}
            {%- for tool in tools %}
                {%- set tool = tool.function %}
                {{- '{"type": "function", "function": {' }}
                {%- for key, val in tool.items() if key != "return" %}
                    {%- if val is string %}
                        {{- '"' + key + '": "' + val + '"' }}
                    {%- else %}
                        {{- '"' + key + '": ' + val|tojson }}
                    {%- endif %}
                    {%- if not loop.last %}
                        {{- ", " }}
                    {%- endif %}
                {%- endfor %}
                {{- "}}" }}
                {%- if not loop.last %}
                    {{- ", " }}
                {%- else %}
                    {{- "]" }}
                {%- endif %}
            {%- endfor %}
            {{- "[/AVAILABLE_TOOLS]" }}
            {%- endif %}
        {%- if loop.last and system_message is defined %}
            {{- "[INST]" + system_message + "\n\n" + message["content"] + "[/INST]" }}
        {%- else %}
            {{- "[INST]" + message["content"] + "[/INST]" }}
        {%- endif %}
    {%- elif message["role"] == "assistant" %}
        {{- message["content"] + eos_token}}
    {%- else %}
        {{- raise_exception("Only user and assistant roles are supported, with the exception of an initial optional system message!") }}
    {%- endif %}
{%- endfor %}
'''

DEEPSEEK_CODER = (
    "{% if not add_generation_prompt is defined %}\n{% set add_generation_prompt = false %}\n{% endif %}\n"
    "{%- set ns = namespace(found=false) -%}\n{%- for message in messages -%}\n    {%- if message['role'] == 'system' -%}\n"
    "        {%- set ns.found = true -%}\n    {%- endif -%}\n{%- endfor -%}\n{{bos_token}}{%- if not ns.found -%}\n"
    "{{'You are an AI programming assistant, utilizing the Deepseek Coder model, developed by Deepseek Company, and you only "
    "answer questions related to computer science. For politically sensitive questions, security and privacy issues, and "
    "other non-computer science questions, you will refuse to answer\\n'}}\n{%- endif %}\n{%- for message in messages %}\n"
    "    {%- if message['role'] == 'system' %}\n{{ message['content'] }}\n    {%- else %}\n        {%- if message['role'] == 'user' %}\n"
    "{{'### Instruction:\\n' + message['content'] + '\\n'}}\n        {%- else %}\n"
    "{{'### Response:\\n' + message['content'] + '\\n<|EOT|>\\n'}}\n        {%- endif %}\n    {%- endif %}\n{%- endfor %}\n"
    "{% if add_generation_prompt %}\n{{'### Response:'}}\n{% endif %}"
)

CONVERSATIONS = {
    "user": [{"role": "user", "content": "Hello, who are you?"}],
    "system_multi": [
        {"role": "system", "content": "You are a terse assistant."},
        {"role": "user", "content": "What is 2+2?"},
        {"role": "assistant", "content": "4"},
        {"role": "user", "content": "And 3+3?"},
    ],
    "multi": [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "   Hello! How can I help?   "},
        {"role": "user", "content": "Tell me a joke."},
    ],
    "tricky_text": [
        {"role": "user", "content": "  Ünïcödé 😀 \"quotes\" 'single' {{ not a tag }} {% nope %}\n\tindented\n  "},
        {"role": "assistant", "content": "\\n is not a newline; <b>html</b> & stuff\n"},
    ],
    "bad_alternation": [
        {"role": "user", "content": "one"},
        {"role": "user", "content": "two"},
    ],
}

TEMPLATES = [
    ("chatml", CHATML, "", ""),
    ("llama3", LLAMA3, "<|begin_of_text|>", "<|eot_id|>"),
    ("mistral-v0.1", MISTRAL_V01, "<s>", "</s>"),
    ("mistral-v0.2-system", MISTRAL_V02_SYSTEM, "<s>", "</s>"),
    ("zephyr", ZEPHYR, "<s>", "</s>"),
    ("gemma-2-it", GEMMA2, "<bos>", "<eos>"),
    ("qwen2.5", QWEN25, "", "<|im_end|>"),
    ("mistral-nemo", MISTRAL_NEMO, "<s>", "</s>"),
    ("deepseek-coder", DEEPSEEK_CODER, "<｜begin▁of▁sentence｜>", "<|EOT|>"),
]

# Small templates that pin down one construct each; rendered with their own context.
FEATURES = [
    ("loop vars", "{% for x in xs %}{{ loop.index }}/{{ loop.index0 }}/{{ loop.revindex }}/{{ loop.length }}/{{ loop.first }}/{{ loop.last }}/{{ loop.previtem }}/{{ loop.nextitem }};{% endfor %}", {"xs": ["a", "b", "c"]}),
    ("for else + filter", "{% for x in xs if x > 2 %}{{ x }},{% else %}none{% endfor %}|{% for x in [] %}x{% else %}empty{% endfor %}", {"xs": [1, 2, 3, 4]}),
    ("dict items unpack", "{% for k, v in d.items() %}{{ k }}={{ v }} {% endfor %}{{ d.keys()|list }} {{ d.values()|list }} {{ d.get('a') }} {{ d.get('zz', 'dflt') }} {{ d|length }}", {"d": {"b": 1, "a": 2}}),
    ("loop scoping", "{% set y = 5 %}{% for x in xs %}{% set y = x %}[{{ y }}]{% endfor %}{{ y }}", {"xs": [1, 2, 3]}),
    ("namespace", "{% set ns = namespace(n=0, s='') %}{% for x in xs %}{% set ns.n = ns.n + x %}{% set ns.s = ns.s ~ x %}{% endfor %}{{ ns.n }} {{ ns.s }}", {"xs": [1, 2, 3]}),
    ("arithmetic", "{{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ 7 / 2 }} {{ 4 / 2 }} {{ 2 ** 10 }} {{ 1 + 2 * 3 - 4 }} {{ 1.5 + 1 }} {{ 3 * 'ab' }} {{ [1] * 3 }} {{ 0.1 + 0.2 }} {{ -3 }} {{ 10 - -2 }}", {}),
    ("comparisons", "{{ 1 < 2 < 3 }} {{ 1 == 1.0 }} {{ 'a' != 'b' }} {{ 'ab' in 'cabd' }} {{ 2 in [1,2] }} {{ 'k' in {'k': 1} }} {{ 3 not in [1] }} {{ not true or false and true }} {{ 'b' > 'a' }} {{ [1,2] == [1,2] }} {{ none == none }}", {}),
    ("literals and printing", "{{ none }} {{ true }} {{ False }} {{ [1, 'a', none, true, 1.0, [2]] }} {{ {'a': 1, 'b': 'x'} }} {{ 'it\\'s' }} {{ \"say \\\"hi\\\"\" }} {{ 'tab\\there' }} {{ 1e3 }} {{ 1_000 }} {{ 'a' 'b' }} {{ (1, 2) }} {{ 'x\\u00e9\\x41' }} {{ 'quote\\'s \"both\"' | string }} {{ ['it\\'s'] }}", {}),
    ("indexing and slicing", "{{ xs[0] }} {{ xs[-1] }} {{ xs[1:] }} {{ xs[:2] }} {{ xs[::-1] }} {{ xs[::2] }} {{ s[1:-1] }} {{ s[::-1] }} {{ s[0] }} {{ d['a']['b'] }} {{ d.a.b }} {{ xs[-10:] }} {{ xs[5:] }}", {"xs": [1, 2, 3, 4], "s": "héllo", "d": {"a": {"b": 7}}}),
    ("string filters", "{{ '  Hi There  ' | trim }}|{{ 'abc' | upper }}|{{ 'ABC' | lower }}|{{ 'hello-world foo(bar) x_y' | title }}|{{ 'hELLO world' | capitalize }}|{{ 'abc' | length }}|{{ 'aXbXc' | replace('X', '-') }}|{{ 'aaa' | replace('a', 'b', 2) }}|{{ '<a href=\"x\">&\\'' | escape }}|{{ 'x' | safe }}|{{ 'héllo' | count }}|{{ '--x--' | trim('-') }}", {}),
    ("list filters", "{{ xs | first }} {{ xs | last }} {{ xs | join(', ') }} {{ xs | reverse | list }} {{ xs | sort }} {{ xs | sort(reverse=true) }} {{ ['b', 'A', 'c'] | sort }} {{ [3, 1, 3, 2, 1] | unique | list }} {{ xs | length }} {{ xs | list }} {{ 'abc' | list }} {{ [1, 2] | join }} {{ xs | sum }} {{ xs | min }} {{ xs | max }}", {"xs": [3, 1, 2]}),
    ("default filter", "{{ u | default('d') }} {{ none | default('d') }} {{ none | default('d', true) }} {{ '' | d('e', true) }} {{ 'v' | default('d') }} {{ u is defined }} {{ u is undefined }} {{ none is none }} {{ 1 is number }} {{ 'a' is string }} {{ {} is mapping }} {{ [] is iterable }} {{ [] is sequence }} {{ true is true }} {{ false is false }} {{ 1 is true }} {{ 3 is odd }} {{ 4 is even }} {{ 6 is divisibleby 3 }} {{ 'a' is not none }} {{ 1 is integer }} {{ 1.0 is float }} {{ true is boolean }}", {}),
    ("conversions", "{{ '42' | int + 1 }} {{ '3.9' | int }} {{ 'x' | int }} {{ 2 | float }} {{ '2.5' | float * 2 }} {{ 5 | string ~ '!' }} {{ 2.0 | int }} {{ -2.5 | abs }} {{ 2.567 | round(2) }} {{ 2.5 | round }}", {}),
    ("selectattr map", "{{ ms | selectattr('role', 'equalto', 'user') | map(attribute='content') | join(',') }} {{ ms | rejectattr('role', 'equalto', 'user') | map(attribute='content') | list }} {{ ms | selectattr('tool') | list | length }} {{ ms | map(attribute='role') | unique | list }} {{ ['a', 'B'] | map('upper') | join }} {{ ms | map(attribute='missing', default='z') | list }}", {"ms": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b", "tool": True}, {"role": "user", "content": "c"}]}),
    ("tojson", "{{ d | tojson }}|{{ d | tojson(indent=2) }}|{{ [] | tojson(indent=2) }}|{{ {} | tojson }}|{{ 'é\"\\n<>&' | tojson }}|{{ [1.5, none, true] | tojson }}|{{ d | tojson(sort_keys=true) }}", {"d": {"name": "get_weather", "args": {"city": "Zürich", "n": [1, 2.5, None, False]}, "empty": {}}}),
    ("string methods", "{{ '  x  '.strip() }}|{{ 'xxaxx'.strip('x') }}|{{ '  x  '.lstrip() }}|{{ '  x  '.rstrip() }}|{{ 'a,b,,c'.split(',') }}|{{ ' a  b '.split() }}|{{ 'a b c'.split(' ', 1) }}|{{ 'hello'.startswith('he') }}|{{ 'hello'.endswith('lo') }}|{{ 'Ab'.upper() }}{{ 'Ab'.lower() }}|{{ 'aXa'.replace('a', 'b') }}|{{ 'hello wORLD 2nd'.title() }}|{{ 'hello'.capitalize() }}|{{ 'a</think>b'.split('</think>')[-1] }}|{{ 'abcabc'.find('c') }}|{{ 'abcabc'.count('bc') }}|{{ 'x'.startswith(('a', 'x')) }}", {}),
    ("conditional expr", "{{ 'y' if true else 'n' }} {{ 'y' if false else 'n' }} {{ 'y' if false }}|{{ (1 if x else 2) + 1 }}", {"x": 0}),
    ("macro", "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('Ann') }} {{ greet('Bob', punct='?') }} {{ greet(name='Cy') }}", {}),
    ("macro whitespace", "{%- macro render(m) %}\n    {{- m.role }}: {{ m.content }}\n{%- endmacro %}\n{%- for m in ms %}\n    {{- render(m) }}\n{%- endfor %}", {"ms": [{"role": "a", "content": "x"}, {"role": "b", "content": "y"}]}),
    ("break continue", "{% for x in xs %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 4 %}{% break %}{% endif %}{{ x }}{% endfor %}", {"xs": [1, 2, 3, 4, 5]}),
    ("range", "{{ range(3) | list }} {{ range(1, 4) | list }} {{ range(10, 0, -3) | list }} {% for i in range(2) %}{{ i }}{% endfor %}", {}),
    ("set block", "{% set x %}inner {{ 1 + 1 }}{% endset %}[{{ x }}] {% set a, b = 1, 2 %}{{ a }}{{ b }}", {}),
    ("whitespace control", "a  {{- 'b' -}}  c\n  {%- if true %} d {% endif -%}\n  e {%+ if true %}f{% endif +%}\ng\n    {% if true %}\n    h\n    {% endif %}\n  {# comment #}\ni {#- c2 -#} j\n", {}),
    ("lstrip edge cases", "x {{ 1 }}  {% if true %}y{% endif %}\n\t {% if true %}\nz\n{%+ endif %}w", {}),
    ("dict literal nesting", "{{ {'a': {'b': [1, {'c': 2}]}} }} {{ {'k': 'v'}['k'] }} {{ {'a': 1}.items() | list }}", {}),
    ("string concat types", "{{ 'n=' ~ 3 ~ ',' ~ none ~ ',' ~ true ~ ',' ~ 1.0 }} {{ 'a' + 'b' }} {{ [1] + [2] }}", {}),
    ("filter precedence", "{{ 'a' + ' b ' | trim + 'c' }} {{ -2 | abs }} {{ 'x' ~ 'Y' | lower }} {{ not 'a' in ['a'] }}", {}),
    ("llama 3.1 style tools", "{%- if not date_string is defined %}{%- set date_string = strftime_now('%d %b %Y') %}{%- endif %}Today: {{ date_string }}\n{%- for t in tools %}\n{{- t | tojson(indent=4) }}\n{% endfor %}\n{%- set first_user = messages | selectattr('role', 'equalto', 'user') | list | first %}{{ first_user.content | trim }}|{{ messages[1:] | length }}", {"tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "required": ["x"]}}}], "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "  u1  "}, {"role": "user", "content": "u2"}]}),
    ("misc builtins", "{{ dict(a=1, b='x') }} {{ (1, 2)[0] }} {{ 'abc' | reverse }} {{ 'straße' | upper }} {{ \"o'neil mc-d\" | title }} {{ \"o'neil\".title() }} {{ 'a\\nb'.split('\\n') }} {{ none | default(none) is none }} {% for m in ms if m != 'b' %}{{ loop.index }}{{ loop.cycle('x', 'y') }}{% endfor %} {{ [1, 2, 3][1:] | join('-') }} {{ ms | join(attribute='missing') if false else 'skip' }}", {"ms": ["a", "b", "c", "d"]}),
    ("truthiness and logic values", "{{ 0 or 'x' }} {{ '' or [] }} {{ 1 and 'y' }} {{ none and 1 }} {{ [] | length == 0 }} {{ not none }} {{ {} or 'empty' }}", {}),
    ("strftime", "{{ strftime_now('%d %b %Y') }}", {}),
    ("raise", "{{ raise_exception('custom failure') }}", {}),
    ("undefined attribute of undefined", "{{ u.x }}", {}),
    ("string plus int", "{{ 'a' + 1 }}", {}),
    ("is defined on attrs", "{{ m.tool_calls is defined }} {{ m.role is defined }} {{ m['x'] is undefined }} {{ not m.tool_calls }} {{ m.tool_calls | default([]) | length }}", {"m": {"role": "user"}}),
]


def render(source, context):
    try:
        return {"rendered": ENV.from_string(source).render(**context)}
    except jinja2.exceptions.TemplateError as e:
        return {"error": str(e), "error_type": type(e).__name__}
    except Exception as e:  # TypeError etc. from Python operators
        return {"error": str(e), "error_type": type(e).__name__}


def main():
    golden = json.loads(GOLDEN.read_text())
    templates = TEMPLATES + [("smollm2", golden["template"], "", "<|im_end|>")]
    out = {"renderer": f"jinja2 {jinja2.__version__} ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, loopcontrols), HF raise_exception/tojson/strftime_now('{FIXED_DATE}')",
           "fixed_date": FIXED_DATE, "templates": [], "features": []}
    for name, source, bos, eos in templates:
        cases = []
        for conv_name, messages in CONVERSATIONS.items():
            for agp in (True, False):
                ctx = {"messages": messages, "add_generation_prompt": agp, "bos_token": bos, "eos_token": eos,
                       "tools": None, "documents": None}
                cases.append({"conversation": conv_name, "messages": messages, "add_generation_prompt": agp, **render(source, ctx)})
        out["templates"].append({"name": name, "source": source, "bos_token": bos, "eos_token": eos, "cases": cases})
    for name, source, context in FEATURES:
        out["features"].append({"name": name, "source": source, "context": context, **render(source, context)})
    OUT.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
