"""Regenerates Tests/EngineTests/Fixtures/chat-templates.json: common chat templates rendered by
jinja2 the way Hugging Face renders them (trim_blocks, lstrip_blocks, raise_exception, tojson).

Run: python3 bench/chat_template_reference.py   (needs Jinja2; tested with 3.1.6)
The template texts follow the chat_template entries of the models' tokenizer_config.json files.
"""
import json, os
import jinja2

TEMPLATES = {
    "chatml": "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}",
    "llama3": "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}",
    "mistral": "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}",
    "zephyr": "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}\n{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}",
    "gemma": "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\n'}}{% endif %}",
    "qwen2.5": "{%- if tools %}\n    {{- '<|im_start|>system\\n' }}\n    {%- if messages[0]['role'] == 'system' %}\n        {{- messages[0]['content'] }}\n    {%- else %}\n        {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}\n    {%- endif %}\n    {{- \"\\n\\n# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\nYou are provided with function signatures within <tools></tools> XML tags:\\n<tools>\" }}\n    {%- for tool in tools %}\n        {{- \"\\n\" }}\n        {{- tool | tojson }}\n    {%- endfor %}\n    {{- \"\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\\\"name\\\": <function-name>, \\\"arguments\\\": <args-json-object>}\\n</tool_call><|im_end|>\\n\" }}\n{%- else %}\n    {%- if messages[0]['role'] == 'system' %}\n        {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}\n    {%- else %}\n        {{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}\n    {%- endif %}\n{%- endif %}\n{%- for message in messages %}\n    {%- if (message.role == \"user\") or (message.role == \"system\" and not loop.first) or (message.role == \"assistant\" and not message.tool_calls) %}\n        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}\n    {%- elif message.role == \"assistant\" %}\n        {{- '<|im_start|>' + message.role }}\n        {%- if message.content %}\n            {{- '\\n' + message.content }}\n        {%- endif %}\n        {{- '<|im_end|>\\n' }}\n    {%- endif %}\n{%- endfor %}\n{%- if add_generation_prompt %}\n    {{- '<|im_start|>assistant\\n' }}\n{%- endif %}\n",
    "features": "{% set ns = namespace(count=0, names=[]) %}{# a comment #}\n{% for m in messages if m.role != 'system' %}\n  {% set ns.count = ns.count + 1 %}\n  {{ loop.index }}/{{ loop.length }} {{ m.role|upper }}: {{ m.content[:10] }}{{ '...' if m.content|length > 10 else '' }}\n{% else %}\nnone\n{% endfor %}\n{{ ns.count }} {{ messages|length }} {{ (messages|map(attribute='role')|list)|join(',') }} {{ messages[-1]['content'].split(' ')|first }}\n{%- for k, v in {'a': 1, 'b': [1, 2.5, none, true]}.items() %} {{ k }}={{ v|tojson }}{% endfor %}\n{{ 7 // 2 }} {{ 7 % 3 }} {{ -3 // 2 }} {{ 2 ** 10 }} {{ 'x' ~ 1 ~ none }} {{ [1,2,3][::-1] }} {{ 'abc'[1:] }} {{ 'Hi There'.lower().startswith('hi') }}\n{% macro greet(name, punct='!') %}Hello {{ name }}{{ punct }}{% endmacro %}{{ greet('Ann') }} {{ greet('Bob', punct='?') }}\n{% if messages[0].role is defined and messages[0].missing is not defined %}tests ok{% endif %} {{ undefined_var|default('dflt') }} {{ messages|selectattr('role', 'equalto', 'user')|list|length }}\n",
}

CONVERSATIONS = [
    ([{"role": "user", "content": "Hi there"}], True),
    ([{"role": "system", "content": "You are a storyteller."}, {"role": "user", "content": "Tell me about hobbits."},
      {"role": "assistant", "content": "  Hobbits are small folk.  "}, {"role": "user", "content": "Where do they live?"}], True),
    ([{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Hi! How can I help?"}], False),
    ([{"role": "user", "content": "Quotes \" and \\ backslash, tabs\t and unicode: héllo 日本"}], True),
]


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def render(source, messages, add_generation_prompt):
    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True)
    env.globals["raise_exception"] = raise_exception
    env.filters["tojson"] = lambda x, indent=None, separators=None, sort_keys=False: json.dumps(
        x, ensure_ascii=False, indent=indent, separators=separators, sort_keys=sort_keys)
    try:
        return {"rendered": env.from_string(source).render(messages=messages, add_generation_prompt=add_generation_prompt,
                                                           bos_token="<s>", eos_token="</s>")}
    except jinja2.exceptions.TemplateError as e:
        return {"error": str(e)}


cases = []
for name, source in TEMPLATES.items():
    for messages, agp in CONVERSATIONS:
        case = {"template": name, "messages": messages, "add_generation_prompt": agp}
        case.update(render(source, messages, agp))
        cases.append(case)
out = os.path.join(os.path.dirname(__file__), "..", "Tests", "EngineTests", "Fixtures", "chat-templates.json")
with open(out, "w") as f:
    json.dump({"generator": "bench/chat_template_reference.py, jinja2 " + jinja2.__version__, "bos_token": "<s>", "eos_token": "</s>",
               "templates": TEMPLATES, "cases": cases}, f, indent=1, ensure_ascii=False)
print(f"{len(cases)} cases -> {out}")
