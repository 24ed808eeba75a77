-- Common hazard phrases (隐患库): per category, a short text an inspector picks to fill a
-- hazard's description (and its legal basis where given). Admins edit them; none is
-- deleted (active = false hides one). Every change is an event, as for the catalogue.
CREATE TABLE hazard_phrases (
    id           blob PRIMARY KEY,
    category     text NOT NULL,
    text         text NOT NULL,
    legal_basis  text,
    active       integer NOT NULL,
    version      integer NOT NULL,
    created_at   text NOT NULL,
    updated_at   text NOT NULL,
    created_by   blob
);
CREATE INDEX hazard_phrases_category_idx ON hazard_phrases (category, created_at, id);

CREATE TABLE hazard_phrase_events (
    id             blob PRIMARY KEY,
    phrase_id      blob NOT NULL REFERENCES hazard_phrases (id),
    at             text NOT NULL,
    actor          text NOT NULL,
    actor_user_id  blob,
    kind           text NOT NULL,
    details        text
);
CREATE INDEX hazard_phrase_events_phrase_idx ON hazard_phrase_events (phrase_id, at, id);

-- The first list: at least five phrases per category, with the rule they break.
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'2be5391d3710517e9b422bb4ed88bbed', 'gas', '燃气软管老化、龟裂，超过使用年限未更换', '《城镇燃气管理条例》第二十八条', 1, 1, '2026-01-01T00:00:00.000001Z', '2026-01-01T00:00:00.000001Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'3d073c68f63c548583090fbab53bfe12', 'gas', '使用燃气的场所未安装可燃气体泄漏报警装置', '《城镇燃气设计规范》GB 50028', 1, 1, '2026-01-01T00:00:00.000002Z', '2026-01-01T00:00:00.000002Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'fb448d86889050cf9b150caac9e656e9', 'gas', '燃气管道被当作负重支架或悬挂杂物', '《城镇燃气管理条例》第二十八条', 1, 1, '2026-01-01T00:00:00.000003Z', '2026-01-01T00:00:00.000003Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'fc2050534bc3549087f53fc087e00b24', 'gas', '液化石油气钢瓶在地下室或半地下室存放使用', '《城镇燃气管理条例》第二十八条', 1, 1, '2026-01-01T00:00:00.000004Z', '2026-01-01T00:00:00.000004Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'ab220eb402d75f8187301149a5615c84', 'gas', '燃气软管穿越墙体、门窗，或长度超过2米', '《家用燃气燃烧器具安装及验收规程》CJJ 12', 1, 1, '2026-01-01T00:00:00.000005Z', '2026-01-01T00:00:00.000005Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'e48a4be2e49753c696cd06625318502f', 'gas', '液化石油气钢瓶未直立放置，与灶具间距不足0.5米', NULL, 1, 1, '2026-01-01T00:00:00.000006Z', '2026-01-01T00:00:00.000006Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'78c9847917df551aacda2d48a7d76e09', 'fire_separation', '仓储区与营业区之间未采取防火分隔措施', '《建筑设计防火规范》GB 50016', 1, 1, '2026-01-01T00:00:00.000007Z', '2026-01-01T00:00:00.000007Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'bed8849dd7bd5981a88d3d62b454c131', 'fire_separation', '住宿与生产、储存、经营场所设置在同一建筑内，未采取防火分隔', '《中华人民共和国消防法》第十九条', 1, 1, '2026-01-01T00:00:00.000008Z', '2026-01-01T00:00:00.000008Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'514b7feaf2025b7faed6b3431fe143ed', 'fire_separation', '防火门闭门器损坏，常闭式防火门处于开启状态', '《中华人民共和国消防法》第二十八条', 1, 1, '2026-01-01T00:00:00.000009Z', '2026-01-01T00:00:00.000009Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'cf597bd76b195ee49d5cf371ca11a246', 'fire_separation', '管道穿越防火墙处的孔洞未用不燃材料封堵', '《建筑设计防火规范》GB 50016', 1, 1, '2026-01-01T00:00:00.000010Z', '2026-01-01T00:00:00.000010Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'1ef4a2b5f8065a20a75c940e4483476d', 'fire_separation', '使用易燃可燃材料（如彩钢夹芯板）搭建隔间', '《建筑内部装修设计防火规范》GB 50222', 1, 1, '2026-01-01T00:00:00.000011Z', '2026-01-01T00:00:00.000011Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'26f124a24c6956ec9a3c7e61cd129279', 'electrical', '电气线路私拉乱接，未穿管保护', '《低压配电设计规范》GB 50054', 1, 1, '2026-01-01T00:00:00.000012Z', '2026-01-01T00:00:00.000012Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'33913fb798dc5d3eaa39b6ec34324d2d', 'electrical', '配电箱周围堆放可燃物，箱门缺失或未上锁', NULL, 1, 1, '2026-01-01T00:00:00.000013Z', '2026-01-01T00:00:00.000013Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'd748868a5d8e5c4abff6c6511018069b', 'electrical', '使用不合格插线板，多个大功率电器共用一个插座', NULL, 1, 1, '2026-01-01T00:00:00.000014Z', '2026-01-01T00:00:00.000014Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'2e521be8b3275c8d929c8b69a2cb6a74', 'electrical', '电动自行车在楼道、门厅内停放或充电', '《高层民用建筑消防安全管理规定》第三十七条', 1, 1, '2026-01-01T00:00:00.000015Z', '2026-01-01T00:00:00.000015Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'f32e19f824ec5f4bbc83279c2635db34', 'electrical', '未安装剩余电流动作保护装置（漏电保护器）', '《剩余电流动作保护装置安装和运行》GB/T 13955', 1, 1, '2026-01-01T00:00:00.000016Z', '2026-01-01T00:00:00.000016Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'59a4a3df3f405edfada4a0347f94b63e', 'electrical', '照明灯具靠近可燃物，未采取隔热散热措施', '《建筑设计防火规范》GB 50016', 1, 1, '2026-01-01T00:00:00.000017Z', '2026-01-01T00:00:00.000017Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'b94ddac3892b515a912399809c4e91e1', 'evacuation', '安全出口、疏散通道被杂物堵塞', '《中华人民共和国消防法》第二十八条', 1, 1, '2026-01-01T00:00:00.000018Z', '2026-01-01T00:00:00.000018Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'e332f5f00b07550aa28fe5ec02ea464c', 'evacuation', '安全出口上锁或封闭，营业期间无法开启', '《中华人民共和国消防法》第二十八条', 1, 1, '2026-01-01T00:00:00.000019Z', '2026-01-01T00:00:00.000019Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'3f6b1d4a2eea5fa197944b76a284fe74', 'evacuation', '疏散指示标志损坏或不亮', '《中华人民共和国消防法》第十六条', 1, 1, '2026-01-01T00:00:00.000020Z', '2026-01-01T00:00:00.000020Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'113b1c6391a351389fc2a70000c1940b', 'evacuation', '应急照明灯损坏，断电后不能正常工作', '《中华人民共和国消防法》第十六条', 1, 1, '2026-01-01T00:00:00.000021Z', '2026-01-01T00:00:00.000021Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'506576adac5a5cc0ab7091b8e1b6bba1', 'evacuation', '人员密集场所外墙门窗设置影响逃生的铁栅栏、广告牌', '《中华人民共和国消防法》第二十八条', 1, 1, '2026-01-01T00:00:00.000022Z', '2026-01-01T00:00:00.000022Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'0ea37717c9105df9884f16a894468b16', 'fire_equipment', '灭火器压力不足或超过有效期', '《中华人民共和国消防法》第十六条', 1, 1, '2026-01-01T00:00:00.000023Z', '2026-01-01T00:00:00.000023Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'0a62ff65bad150eca66ff7e64c48b85e', 'fire_equipment', '未按要求配置灭火器', '《建筑灭火器配置设计规范》GB 50140', 1, 1, '2026-01-01T00:00:00.000024Z', '2026-01-01T00:00:00.000024Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'146f7d51906353658bbd6168abf6c1ee', 'fire_equipment', '室内消火栓被遮挡，箱内水带、水枪缺失', '《中华人民共和国消防法》第二十八条', 1, 1, '2026-01-01T00:00:00.000025Z', '2026-01-01T00:00:00.000025Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'39a7c282616a55039c2c8ff438353e32', 'fire_equipment', '自动喷水灭火系统处于关闭状态', '《中华人民共和国消防法》第二十八条', 1, 1, '2026-01-01T00:00:00.000026Z', '2026-01-01T00:00:00.000026Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'82259477d7645f56b8fe2d11ce7b281c', 'fire_equipment', '火灾自动报警系统故障未及时维修', '《中华人民共和国消防法》第十六条', 1, 1, '2026-01-01T00:00:00.000027Z', '2026-01-01T00:00:00.000027Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'd17c69aa3ebf5c10b76adebee4b19f3b', 'fire_equipment', '消防设施未按规定每年至少进行一次全面检测', '《中华人民共和国消防法》第十六条', 1, 1, '2026-01-01T00:00:00.000028Z', '2026-01-01T00:00:00.000028Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'9521401373935a66b3032b76c3d4ba6f', 'hazardous_chemicals', '危险化学品未存放在专用仓库或专用储存室', '《危险化学品安全管理条例》第二十四条', 1, 1, '2026-01-01T00:00:00.000029Z', '2026-01-01T00:00:00.000029Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'fedfa8f0883254a785014bc6342fdc0a', 'hazardous_chemicals', '危险化学品包装无中文安全标签', '《危险化学品安全管理条例》第十五条', 1, 1, '2026-01-01T00:00:00.000030Z', '2026-01-01T00:00:00.000030Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'6c2bcd791c72556ab1b5cde97b11c259', 'hazardous_chemicals', '相互禁忌的危险化学品混存', '《常用化学危险品贮存通则》GB 15603', 1, 1, '2026-01-01T00:00:00.000031Z', '2026-01-01T00:00:00.000031Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'4f3a5c313c3e548d90f44de029ed2840', 'hazardous_chemicals', '作业场所存放的油漆、稀释剂等超过一天的用量', NULL, 1, 1, '2026-01-01T00:00:00.000032Z', '2026-01-01T00:00:00.000032Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'34fcb6dde703538aa87f63f8f6d171a6', 'hazardous_chemicals', '未建立危险化学品出入库登记台账', '《危险化学品安全管理条例》第二十四条', 1, 1, '2026-01-01T00:00:00.000033Z', '2026-01-01T00:00:00.000033Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'1a3338cbfd095321b5db2ea8273a8cf8', 'structural', '擅自改变建筑结构或使用性质', '《建设工程质量管理条例》第十五条', 1, 1, '2026-01-01T00:00:00.000034Z', '2026-01-01T00:00:00.000034Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'5e281f4f79c15dcf9fb0b7dac95fb14e', 'structural', '外墙广告牌、招牌固定件锈蚀松动，有坠落风险', NULL, 1, 1, '2026-01-01T00:00:00.000035Z', '2026-01-01T00:00:00.000035Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'df3cb00b43c05260a8a02c4bbe36e09c', 'structural', '屋面、楼板超载堆放货物', NULL, 1, 1, '2026-01-01T00:00:00.000036Z', '2026-01-01T00:00:00.000036Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'4576c5c6bf495de39930e92526d94530', 'structural', '墙体出现明显裂缝，未进行安全鉴定', '《民用建筑可靠性鉴定标准》GB 50292', 1, 1, '2026-01-01T00:00:00.000037Z', '2026-01-01T00:00:00.000037Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'1c62af1ba5445499ab72187381db9492', 'structural', '临时搭建的雨棚、钢架未经设计，结构不稳', NULL, 1, 1, '2026-01-01T00:00:00.000038Z', '2026-01-01T00:00:00.000038Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'bbeb0ee42e8b5d39b68f61990be85202', 'occupational', '特种作业人员未持证上岗', '《中华人民共和国安全生产法》第三十条', 1, 1, '2026-01-01T00:00:00.000039Z', '2026-01-01T00:00:00.000039Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'cbbc78da5e4a5773a693c07722ac1807', 'occupational', '未为从业人员配备符合标准的劳动防护用品', '《中华人民共和国安全生产法》第四十五条', 1, 1, '2026-01-01T00:00:00.000040Z', '2026-01-01T00:00:00.000040Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'd801c00785125d8f8ee5d55fe71c54c6', 'occupational', '机械设备的传动部位未设防护罩', '《生产设备安全卫生设计总则》GB 5083', 1, 1, '2026-01-01T00:00:00.000041Z', '2026-01-01T00:00:00.000041Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'295ec5361ad059da9a98db498383e95f', 'occupational', '作业场所粉尘、噪声超标，未设置警示标识', '《中华人民共和国职业病防治法》第二十四条', 1, 1, '2026-01-01T00:00:00.000042Z', '2026-01-01T00:00:00.000042Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'8e2abc4f499e54e097244eeb764eefb5', 'occupational', '未对从业人员进行安全生产教育和培训', '《中华人民共和国安全生产法》第二十八条', 1, 1, '2026-01-01T00:00:00.000043Z', '2026-01-01T00:00:00.000043Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'26453eb1fd81538ca1b6b651601a0c8d', 'other', '未建立消防安全制度，未明确消防安全责任人', '《中华人民共和国消防法》第十六条', 1, 1, '2026-01-01T00:00:00.000044Z', '2026-01-01T00:00:00.000044Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'a3e8be6cd8515f0191e19775300c9a68', 'other', '未按规定开展防火巡查、检查并记录', '《机关、团体、企业、事业单位消防安全管理规定》第二十五条', 1, 1, '2026-01-01T00:00:00.000045Z', '2026-01-01T00:00:00.000045Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'0d8e20662e255319a369e6b743058019', 'other', '员工不会使用灭火器，不熟悉疏散路线', '《中华人民共和国消防法》第十六条', 1, 1, '2026-01-01T00:00:00.000046Z', '2026-01-01T00:00:00.000046Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'b92b67dbb39956b997eebc3bd88e46fb', 'other', '在营业时间进行电焊、气割等动火作业，未办理动火审批', '《中华人民共和国消防法》第二十一条', 1, 1, '2026-01-01T00:00:00.000047Z', '2026-01-01T00:00:00.000047Z', NULL);
INSERT INTO hazard_phrases (id, category, text, legal_basis, active, version, created_at, updated_at, created_by) VALUES (X'aabc41f4c4fb5e99bd0d2bbc838fdb76', 'other', '室内吸烟或使用明火取暖，未采取防火措施', NULL, 1, 1, '2026-01-01T00:00:00.000048Z', '2026-01-01T00:00:00.000048Z', NULL);
INSERT INTO hazard_phrase_events (id, phrase_id, at, actor, actor_user_id, kind, details)
SELECT id, id, created_at, 'system', NULL, 'created', NULL FROM hazard_phrases;
