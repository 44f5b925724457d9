"""中文 for the Lessons tab, workshop mode and links (ui/lessons.py, ui/links.py). The lessons' own texts live
in playground/lessons/, in both languages."""

ZH = {
    # links
    "Copy link": "复制链接",
    "From the link:": "来自链接：",
    "It was ignored.": "已忽略。",
    "“{name}” must be a number.": "“{name}”必须是数字。",
    "“{name}” must be between {low} and {high}.": "“{name}”必须在 {low} 到 {high} 之间。",
    "“{name}” has no choice “{value}”.": "“{name}”没有“{value}”这个选项。",
    "“{name}” must be true or false.": "“{name}”必须是 true 或 false。",
    "“{name}” must be a whole number.": "“{name}”必须是整数。",
    "“{name}” must be text.": "“{name}”必须是文字。",
    "“{name}” is longer than {limit} characters.": "“{name}”超过了 {limit} 个字符。",
    "“{name}” cannot be set from a link.": "“{name}”不能通过链接设置。",
    "This page has no tab “{tab}”: the link was ignored.": "这个页面没有“{tab}”标签页：已忽略这个链接。",
    "The {tab} tab has no input “{name}”: it was ignored.": "“{tab}”标签页没有“{name}”这个输入：已忽略。",
    "This page has no lesson step “{step}”.": "这个页面没有课程步骤“{step}”。",
    # the Lessons tab
    "Lessons": "课程",
    "The course, step by step: read, click **Try it** to open the step's tab with its example, answer the "
    "question, then go on. Your progress stays in this browser.": "一步一步学习课程：先阅读，点**试一试**打开"
    "这一步的标签页和例子，回答问题，再继续。你的进度只保存在这个浏览器里。",
    "Follow the teacher": "跟随老师",
    "Lesson": "课",
    "◀ Previous": "◀ 上一步",
    "Try it": "试一试",
    "Next ▶": "下一步 ▶",
    "Your answer": "你的答案",
    "Check": "核对",
    "Step {step} of {steps}": "第 {step} 步，共 {steps} 步",
    "link to this step": "这一步的链接",
    "Predict, then check": "先预测，再核对",
    "Question": "问题",
    "Notice": "注意",
    "Right!": "答对了！",
    "Not quite. The answer: {answer}": "不太对。答案是：{answer}",
    "Right! The model's answer: {answer}": "答对了！模型的答案：{answer}",
    "The model's answer: {answer}. You predicted {choice}.": "模型的答案：{answer}。你预测的是 {choice}。",
    "Choose an answer first.": "请先选一个答案。",
    'language must be "en" or "zh".': 'language 必须是 "en" 或 "zh"。',
    "This model has {layers} layers of {heads} heads: choose a layer and head within them.": "这个模型有 {layers} 层，每层 {heads} 个头：请在这个范围内选择层和头。",
    # workshop mode
    "Lead the class": "带领全班",
    "Students open the join link on their phones and follow you: when you move to a step, their pages move "
    "too. You see how many joined and answered, and how many chose each answer; no names, nothing they type. "
    "Ending the class forgets every count.": "学生在手机上打开加入链接并跟随你：你翻到哪一步，他们的页面也跟着"
    "翻到哪一步。你能看到多少人加入、多少人作答、每个答案有多少人选；没有名字，也看不到他们输入的内容。结束课堂后"
    "所有计数都会清除。",
    "End the class": "结束课堂",
    "Start leading": "开始带领",
    "Students: scan the code or open": "同学们：扫描二维码或打开",
    "Joined: {joined} · answered: {answered}": "已加入：{joined} · 已作答：{answered}",
    "You follow the teacher: your page moves with the class.": "你在跟随老师：你的页面会和全班一起翻动。",
    "You explore on your own. Tick the box to follow the class again.": "你在自己探索。勾选方框即可重新跟随全班。",
    "The teacher ended the class. Explore on your own!": "老师已经结束了课堂。自己探索吧！",
    "This class has ended, or the link is not right.": "这堂课已经结束，或者链接不对。",
}
